// `batchline insights <job>`: what a job's answers say, field by field (GET /v1/jobs/{id}/insights) —
// text bars on a terminal, tab-separated lines in a pipe, the API's JSON with --json.
import { expectPositionals, parseCommandArgs } from '../args.ts';
import type { CliContext } from '../context.ts';
import { insightsBars, insightsLines } from '../insights-report.ts';
import { withSession } from '../session.ts';
import type { Insights } from '../../insights/types.ts';

export const INSIGHTS_USAGE = 'batchline insights <job> [--by FIELD] [--over FIELD] [--filter EXPR]... [--json]';

export const INSIGHTS_HELP = `What a job's answers say: for every field of the task's answer, counts per value,
number statistics and a histogram, the most frequent phrases, months, totals per currency.

Usage:
  ${INSIGHTS_USAGE}

Options:
  --by FIELD       each aggregate per value of a metadata field (rating, version, channel)
  --over FIELD     answers per day or week of a metadata date field (date, created_at)
  --filter EXPR    only answers where EXPR holds, repeatable: sentiment=negative, score<=2,
                   issues=battery drain, metadata.rating=1 (OP: = != < <= > >= ~)
  --json           print the API's answer (GET /v1/jobs/{id}/insights)
  -h, --help       this help

On a terminal each value is drawn as a bar; in a pipe each figure is one tab-separated line:
field, group, what, key, count, share.
`;

const OPTIONS = {
  by: { type: 'string' },
  over: { type: 'string' },
  filter: { type: 'string', multiple: true },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function insightsCommand(args: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, OPTIONS, INSIGHTS_USAGE);
  if (values.help) {
    ctx.stdout.write(INSIGHTS_HELP);
    return 0;
  }
  const [jobId] = expectPositionals(positionals, ['job'], INSIGHTS_USAGE) as [string];
  const query = new URLSearchParams();
  if (values.by) query.set('by', values.by);
  if (values.over) query.set('over', values.over);
  for (const f of values.filter ?? []) query.append('filter', f);
  const qs = query.size > 0 ? `?${query}` : '';

  return withSession(ctx.env, { command: 'insights' }, async (session) => {
    const insights = await session.api.get<Insights>(`/v1/jobs/${encodeURIComponent(jobId)}/insights${qs}`);
    if (values.json) ctx.stdout.write(`${JSON.stringify(insights, null, 2)}\n`);
    else if (ctx.stdout.isTTY) ctx.stdout.write(`${insightsBars(insights, ctx.stdout.columns || 80).join('\n')}\n`);
    else ctx.stdout.write(`${insightsLines(insights).join('\n')}\n`);
    return 0;
  });
}
