// A connection as a job uses it in one role: the fields of that role (secrets opened), with the job's own
// config merged over them (RFC 7396: objects merge, null removes). The credentials must only ever go where
// the connection's owner pointed them, so a job may not override where they are sent.
import { AppError, invalidField } from '../errors.ts';
import { SecretUnreadableError } from '../secrets/crypto.ts';
import { openConfig } from '../plugins/stored-config.ts';
import { isPlainObject, mergePatch } from './merge-patch.ts';
import { configForRole, credentialFieldsOf, describeRoles, refuseUnknownFields, rolePlugin, rolesOf, type PluginKind } from './roles.ts';
import type { ConnectionDeps } from './store.ts';

/** Config fields that decide where a connection's credentials are sent; a job may not override them. */
const DESTINATION_FIELDS = new Set(['base_url', 'subdomain', 'url', 'host', 'email', 'connection_string', 'endpoint']);

export interface ResolvedConnection {
  plugin: string;
  config: Record<string, unknown>;
  /** Credential fields the job set itself: they stay the job's, rotations of the connection's do not reach them. */
  ownCredentials: string[];
}

/** `field` names the job-request field for errors (e.g. `source`, `sinks.0`). */
export async function resolveConnection(deps: Omit<ConnectionDeps, 'log'>, name: string, role: PluginKind, overrides: unknown, field: string): Promise<ResolvedConnection> {
  const row = await deps.db.selectFrom('connections').selectAll().where('name', '=', name).executeTakeFirst();
  if (!row) throw invalidField(`${field}.connection`, `connection "${name}" does not exist`);
  const roles = rolesOf(deps.plugins, row);
  const plugin = rolePlugin(deps.plugins, row.plugin, role);
  if (!roles.includes(role) || !plugin) {
    const is = `connection "${name}" is a ${describeRoles(roles)}, not a ${role}`;
    const why = row.kind !== null && plugin ? `: it was created with kind "${row.kind}"; create a connection of plugin "${row.plugin}" without kind to serve both` : `: plugin "${row.plugin}" has no ${role}`;
    throw invalidField(`${field}.connection`, `${is}${why}`);
  }
  if (overrides !== undefined && !isPlainObject(overrides)) throw invalidField(`${field}.config`, 'must be an object');
  const given = overrides ?? {};
  if (row.secrets) {
    const redirect = Object.keys(given).find((key) => DESTINATION_FIELDS.has(key));
    if (redirect) throw invalidField(`${field}.config.${redirect}`, `cannot be overridden: connection "${name}" holds credentials that go only where it points; create another connection`);
  }
  refuseUnknownFields([plugin], given, `${field}.config`, `the ${row.plugin} ${role}`);
  let opened: Record<string, unknown>;
  try {
    opened = openConfig(row, deps.secretKey);
  } catch (error) {
    if (!(error instanceof SecretUnreadableError)) throw error;
    const message = `connection "${name}" holds secrets that none of the configured keys opens (was BATCHLINE_SECRET_KEY changed without its fallback?); give them again with PATCH /v1/connections/${name}`;
    throw new AppError('conflict', `${field}.connection: ${message}`, { problems: [{ field: `${field}.connection`, message }] });
  }
  const base = configForRole(plugin, opened);
  const config = mergePatch(base, given) as Record<string, unknown>;
  const ownCredentials = credentialFieldsOf(plugin).filter((f) => given[f] !== undefined && given[f] !== null);
  return { plugin: row.plugin, config, ownCredentials };
}
