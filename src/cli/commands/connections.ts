// `batchline connections …`: list, show, create, update (a JSON merge patch: a rotated token, a new
// signing secret) and delete connections. Secret values are read from a file or stdin (`=@FILE`, `=@-`)
// so they stay out of shell history, and are never printed.
import type { FullApi } from '../api.ts';
import { parseCommandArgs } from '../args.ts';
import { applyAssignments, applyUnset, readConfigFlags } from '../config-values.ts';
import type { CliContext } from '../context.ts';
import { CliError, UsageError } from '../errors.ts';
import { warnLiteralSecrets } from '../secret-values.ts';
import { withSession } from '../session.ts';
import type { JsonSchema, PluginInfo } from '../types.ts';

export const CONNECTIONS_USAGE = 'batchline connections <list|show|create|update|delete> [NAME] [--plugin P] [--kind source|sink] [--config FIELD=VALUE …] [--unset FIELD …] [--json]';

export const CONNECTIONS_HELP = `Named connections to a team's systems (GET/POST/PATCH/DELETE /v1/connections).

Usage:
  batchline connections list
  batchline connections show NAME
  batchline connections create NAME --plugin zendesk --config subdomain=acme --config email=ops@acme.example --config api_token=@token.txt
  batchline connections update NAME --config api_token=@-          (the new token on stdin)
  batchline connections update NAME --config secret=@secrets.txt   (an http sink's grace period: "whsec_new… whsec_old…")
  batchline connections update NAME --unset query
  batchline connections delete NAME

Options:
  --plugin NAME         create: the plugin (batchline plugins lists them)
  --kind source|sink    create: restrict a plugin that is both (zendesk) to one role; without it, it serves both
  --config FIELD=VALUE  a config field, typed by the plugin's schema (repeatable); VALUE @FILE reads a file,
                        @- reads stdin, @@… is a literal @; secrets given literally get a warning
  --unset FIELD         update: remove a field (repeatable)
  --json                print the API's answer
  -h, --help            this help

An update changes only the fields given (JSON merge patch); the connection keeps its name, its place in
the source (cursor) and its jobs; running jobs use new credentials from their next request on.
`;

const OPTIONS = {
  plugin: { type: 'string' },
  kind: { type: 'string' },
  config: { type: 'string', multiple: true },
  unset: { type: 'string', multiple: true },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export interface ConnectionInfo {
  name: string;
  plugin: string;
  kind?: string | null;
  roles?: string[];
  config: Record<string, unknown>;
  secret_fields_set: string[];
  secrets_key?: string | null;
  created_at: string;
  updated_at: string;
}

export async function connectionsCommand(args: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, OPTIONS, CONNECTIONS_USAGE);
  if (values.help) {
    ctx.stdout.write(CONNECTIONS_HELP);
    return 0;
  }
  const [action, name, extra] = positionals;
  if (action === undefined) throw new UsageError('missing action (list, show, create, update or delete)', CONNECTIONS_USAGE);
  if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}"`, CONNECTIONS_USAGE);
  if (action !== 'list' && name === undefined) throw new UsageError(`connections ${action} needs a NAME`, CONNECTIONS_USAGE);
  if (action !== 'create' && (values.plugin !== undefined || values.kind !== undefined)) throw new UsageError('--plugin and --kind are for create (a connection cannot change its plugin or kind)', CONNECTIONS_USAGE);
  if (!['create', 'update'].includes(action) && (values.config ?? []).length > 0) throw new UsageError(`--config is for create and update`, CONNECTIONS_USAGE);
  if (action !== 'update' && (values.unset ?? []).length > 0) throw new UsageError('--unset is for update', CONNECTIONS_USAGE);
  const { assignments, unset } = await readConfigFlags(values.config, values.unset, ctx, CONNECTIONS_USAGE);

  return withSession(ctx.env, { command: `connections ${action}` }, async ({ api }) => {
    const print = (view: ConnectionInfo, verb?: string) => ctx.stdout.write(values.json ? `${JSON.stringify(view, null, 2)}\n` : `${verb ? `${verb} ` : ''}${renderConnection(view).join('\n')}\n`);
    const path = `/v1/connections/${encodeURIComponent(name ?? '')}`;
    switch (action) {
      case 'list': {
        const { data } = await api.get<{ data: ConnectionInfo[] }>('/v1/connections');
        if (values.json) ctx.stdout.write(`${JSON.stringify({ data }, null, 2)}\n`);
        else ctx.stdout.write(data.length === 0 ? 'no connections\n' : `${data.map((c) => renderConnection(c).join('\n')).join('\n\n')}\n`);
        return 0;
      }
      case 'show':
        print(await api.get<ConnectionInfo>(path));
        return 0;
      case 'create': {
        if (values.plugin === undefined) throw new UsageError('connections create needs --plugin', CONNECTIONS_USAGE);
        if (values.kind !== undefined && values.kind !== 'source' && values.kind !== 'sink') throw new UsageError('--kind must be source or sink', CONNECTIONS_USAGE);
        const { schema, secretFields } = await schemaOf(api, values.plugin, values.kind);
        warnLiteralSecrets(assignments, secretFields, ctx);
        const config: Record<string, unknown> = {};
        applyAssignments(config, assignments, schema, CONNECTIONS_USAGE);
        print(await api.post<ConnectionInfo>('/v1/connections', { name, plugin: values.plugin, ...(values.kind ? { kind: values.kind } : {}), config }), 'created');
        return 0;
      }
      case 'update': {
        if (assignments.length === 0 && unset.length === 0) throw new UsageError('connections update needs --config or --unset', CONNECTIONS_USAGE);
        const current = await api.get<ConnectionInfo>(path);
        const { schema, secretFields } = await schemaOf(api, current.plugin, current.kind ?? undefined);
        warnLiteralSecrets(assignments, secretFields, ctx);
        const config: Record<string, unknown> = {};
        applyAssignments(config, assignments, schema, CONNECTIONS_USAGE);
        applyUnset(config, unset, CONNECTIONS_USAGE);
        print(await api.patch<ConnectionInfo>(path, { config }), 'updated');
        return 0;
      }
      case 'delete':
        await api.delete(path);
        if (!values.json) ctx.stdout.write(`deleted connection ${name}\n`);
        return 0;
      default:
        throw new UsageError(`unknown action "${action}"`, CONNECTIONS_USAGE);
    }
  });
}

/** The config schema of every role the plugin name has (or of `kind` alone), for typing --config values. */
async function schemaOf(api: FullApi, plugin: string, kind: string | undefined): Promise<{ schema: JsonSchema; secretFields: string[] }> {
  const { data } = await api.get<{ data: PluginInfo[] }>('/v1/plugins');
  const matching = data.filter((p) => p.name === plugin && (kind === undefined || p.kind === kind));
  if (matching.length === 0) throw new CliError(`no plugin named "${plugin}"${kind ? ` of kind ${kind}` : ''} (the server has: ${[...new Set(data.map((p) => p.name))].join(', ')})`);
  const properties: Record<string, JsonSchema> = {};
  for (const p of matching) Object.assign(properties, p.config_schema?.properties ?? {});
  return { schema: { type: 'object', properties }, secretFields: [...new Set(matching.flatMap((p) => p.secret_fields ?? []))] };
}

export function renderConnection(c: ConnectionInfo): string[] {
  const roles = c.roles && c.roles.length > 0 ? c.roles.join(' + ') : (c.kind ?? '');
  const fields = Object.entries(c.config).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  const sealed = c.secrets_key === 'fallback' ? ' (sealed under a fallback key: batchline secrets reseal)' : c.secrets_key === 'unreadable' ? ' (UNREADABLE with the configured keys: give them again)' : '';
  return [
    `${c.name}  ${c.plugin}  ${roles}`,
    `  config: ${fields.length > 0 ? fields.join(' ') : '(none)'}`,
    `  secrets set: ${c.secret_fields_set.length > 0 ? c.secret_fields_set.join(', ') : '(none)'}${sealed}`,
    `  updated ${c.updated_at}`,
  ];
}
