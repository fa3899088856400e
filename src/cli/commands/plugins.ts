// `batchline plugins`: the source and sink plugins the server has, with their config fields.
import { parseCommandArgs } from '../args.ts';
import type { CliContext } from '../context.ts';
import { CliError, UsageError } from '../errors.ts';
import { configFields } from '../plugin-fields.ts';
import { withSession } from '../session.ts';
import type { PluginInfo } from '../types.ts';

export const PLUGINS_USAGE = 'batchline plugins [NAME] [--json]';

export const PLUGINS_HELP = `List the source and sink plugins with their config fields (GET /v1/plugins).

Usage:
  ${PLUGINS_USAGE}

  NAME        only this plugin
  --json      print the API's answer, config JSON Schemas included
  -h, --help  this help
`;

const OPTIONS = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function pluginsCommand(args: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, OPTIONS, PLUGINS_USAGE);
  if (values.help) {
    ctx.stdout.write(PLUGINS_HELP);
    return 0;
  }
  if (positionals.length > 1) throw new UsageError(`unexpected argument "${positionals[1]}"`, PLUGINS_USAGE);
  const only = positionals[0];

  return withSession(ctx.env, { command: 'plugins' }, async (session) => {
    const { data } = await session.api.get<{ data: PluginInfo[] }>('/v1/plugins');
    const plugins = only === undefined ? data : data.filter((p) => p.name === only);
    if (plugins.length === 0) throw new CliError(`no plugin named "${only}" (the server has: ${[...new Set(data.map((p) => p.name))].join(', ')})`);
    if (values.json) {
      ctx.stdout.write(`${JSON.stringify({ data: plugins }, null, 2)}\n`);
      return 0;
    }
    ctx.stdout.write(`${renderPlugins(plugins).join('\n')}\n`);
    return 0;
  });
}

export function renderPlugins(plugins: readonly PluginInfo[]): string[] {
  const lines: string[] = [];
  const section = (kind: 'source' | 'sink', title: string) => {
    const ofKind = plugins.filter((p) => p.kind === kind);
    if (ofKind.length === 0) return;
    if (lines.length > 0) lines.push('');
    lines.push(title);
    for (const plugin of ofKind) {
      const origin = plugin.origin && plugin.origin !== 'first-party' ? ` (from ${plugin.origin})` : '';
      lines.push(`  ${plugin.name}${origin}${plugin.description ? ` — ${plugin.description}` : ''}`);
      const fields = configFields(plugin.config_schema, plugin.secret_fields ?? []);
      const nameWidth = Math.max(0, ...fields.map((f) => f.name.length));
      const typeWidth = Math.min(40, Math.max(0, ...fields.map((f) => f.type.length)));
      for (const f of fields) {
        const flags = [f.required ? 'required' : '', f.secret ? 'secret' : ''].filter(Boolean).join(', ');
        const notes = [flags && `(${flags})`, f.description].filter(Boolean).join(' ');
        lines.push(`      ${f.name.padEnd(nameWidth)}  ${f.type.padEnd(typeWidth)}  ${notes}`.trimEnd());
      }
    }
  };
  section('source', 'Sources (batchline run --source NAME --config FIELD=VALUE …)');
  section('sink', 'Sinks (batchline run --sink file:PATH | http:URL | connection:NAME; other sinks through a connection or --job)');
  return lines;
}
