// `batchline secrets reseal`: re-seal every stored secret under the server's current BATCHLINE_SECRET_KEY
// (POST /v1/secrets/reseal), the middle step of a key rotation (docs/operations.md). Exit 0 when nothing
// is left under a fallback key and nothing is unreadable, so the fallbacks can be removed; 1 otherwise.
import { parseCommandArgs } from '../args.ts';
import type { CliContext } from '../context.ts';
import { UsageError } from '../errors.ts';
import { withSession } from '../session.ts';

export const SECRETS_USAGE = 'batchline secrets reseal [--json]';

export const SECRETS_HELP = `Re-seal every stored secret (connections, and the copies jobs keep) under the current key.

Usage:
  ${SECRETS_USAGE}

Run it once every replica runs with the new BATCHLINE_SECRET_KEY and the old one in
BATCHLINE_SECRET_KEY_FALLBACKS; safe while jobs run, and safe to repeat. Exit 0: nothing is left under a
fallback key and nothing is unreadable, the fallbacks can go. Exit 1: run it again, or give the secrets
it lists as unreadable again.

Options:
  --json      print the API's answer
  -h, --help  this help
`;

const OPTIONS = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

interface Counts {
  resealed: number;
  current: number;
  unreadable: number;
}

interface ResealReport {
  key_id: string;
  fallback_key_ids: string[];
  connections: Counts & { unreadable_names: string[] };
  jobs: Counts & { unreadable_ids: string[] };
  experiments: Counts & { unreadable_ids: string[] };
  remaining: number;
}

export async function secretsCommand(args: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, OPTIONS, SECRETS_USAGE);
  if (values.help) {
    ctx.stdout.write(SECRETS_HELP);
    return 0;
  }
  if (positionals[0] !== 'reseal') throw new UsageError(positionals[0] === undefined ? 'missing action (reseal)' : `unknown action "${positionals[0]}"`, SECRETS_USAGE);
  if (positionals.length > 1) throw new UsageError(`unexpected argument "${positionals[1]}"`, SECRETS_USAGE);
  return withSession(ctx.env, { command: 'secrets reseal' }, async ({ api }) => {
    const report = await api.post<ResealReport>('/v1/secrets/reseal');
    const unreadable = report.connections.unreadable + report.jobs.unreadable + report.experiments.unreadable;
    if (values.json) ctx.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else {
      const line = (what: string, c: Counts) => `${what}: ${c.resealed} re-sealed, ${c.current} already current${c.unreadable > 0 ? `, ${c.unreadable} UNREADABLE` : ''}`;
      ctx.stdout.write(
        [
          `current key ${report.key_id}${report.fallback_key_ids.length > 0 ? `; fallbacks ${report.fallback_key_ids.join(', ')}` : '; no fallbacks'}`,
          line('connections', report.connections) + (report.connections.unreadable_names.length > 0 ? ` (${report.connections.unreadable_names.join(', ')})` : ''),
          line('jobs', report.jobs) + (report.jobs.unreadable_ids.length > 0 ? ` (${report.jobs.unreadable_ids.join(', ')})` : ''),
          line('experiments', report.experiments) + (report.experiments.unreadable_ids.length > 0 ? ` (${report.experiments.unreadable_ids.join(', ')})` : ''),
          report.remaining === 0 && unreadable === 0
            ? 'nothing is left under a fallback key: BATCHLINE_SECRET_KEY_FALLBACKS can be removed'
            : report.remaining > 0
              ? `${report.remaining} still under a fallback key (changed meanwhile): run it again`
              : 'some secrets open with no configured key: give them again (batchline connections update NAME --config FIELD=@FILE)',
        ].join('\n') + '\n',
      );
    }
    return report.remaining === 0 && unreadable === 0 ? 0 : 1;
  });
}
