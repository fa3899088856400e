// A connection as a job uses it in one role: the fields of that role (secrets opened), with the job's own
// config merged over them (RFC 7396: objects merge, null removes). The credentials must only ever go where
// the connection's owner pointed them, so a job may not override where they are sent (the plugin's
// destinationFields) nor whose they are; and a connection whose secrets were dropped when it moved is
// refused until they are given again.
import { AppError, invalidField } from '../errors.ts';
import { SecretUnreadableError } from '../secrets/crypto.ts';
import { openConfig } from '../plugins/stored-config.ts';
import { isPlainObject, mergePatch } from './merge-patch.ts';
import {
  configForRole,
  credentialFieldsOf,
  describeRoles,
  destinationFieldsOf,
  refuseUnknownFields,
  rolePlugin,
  rolesOf,
  secretFieldsOf,
  type PluginKind,
  type RolePlugin,
} from './roles.ts';
import type { ConnectionDeps } from './store.ts';
import { pluginsForRoles } from './validate.ts';

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
  const secretFields = secretFieldsOf(pluginsForRoles(deps.plugins, row.plugin, roles));
  // Secret fields in clear count too: an http connection saved before its headers were secret has them there.
  if (row.secrets || secretFields.some((f) => row.config[f] !== undefined)) {
    const pinned = pinnedFieldsOf(plugin);
    const redirect = Object.keys(given).find((key) => pinned.has(key));
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
  const missing = missingSecrets(plugin, config, given);
  if (missing.length > 0) {
    const moved = destinationFieldsOf([plugin]);
    const why = moved.length > 0 ? `a PATCH that moves a connection (${moved.join(', ')}) drops the secrets it does not give again` : 'they were removed';
    const message = `connection "${name}" needs its credentials again (${missing.join(', ')}): ${why}; give them with PATCH /v1/connections/${name}`;
    throw new AppError('conflict', `${field}.connection: ${message}`, { problems: [{ field: `${field}.connection`, message }] });
  }
  const ownCredentials = credentialFieldsOf(plugin).filter((f) => given[f] !== undefined && given[f] !== null);
  return { plugin: row.plugin, config, ownCredentials };
}

/**
 * Fields a job may not override on a connection that holds credentials: where they are sent (the plugin's
 * destinationFields), and the credential fields that are not secret (zendesk's `email`: with the
 * connection's token, another address would act as another user). A secret the job gives replaces the
 * connection's, so it may be overridden: it is the job's own.
 */
function pinnedFieldsOf(plugin: RolePlugin): Set<string> {
  const secrets = new Set(plugin.secretFields ?? []);
  return new Set([...destinationFieldsOf([plugin]), ...credentialFieldsOf(plugin).filter((f) => !secrets.has(f))]);
}

/**
 * The secret fields the role's schema asks for and the config lacks: what a connection has after a move
 * dropped its secrets (update.ts); one the job removed itself is its own problem. Any other problem is
 * left to the schema check that follows.
 */
function missingSecrets(plugin: RolePlugin, config: Record<string, unknown>, given: Record<string, unknown>): string[] {
  const parsed = plugin.configSchema.safeParse(config);
  if (parsed.success) return [];
  const secrets = new Set(plugin.secretFields ?? []);
  const fields = parsed.error.issues.map((issue) => String(issue.path[0] ?? '')).filter((f) => secrets.has(f) && config[f] === undefined && !(f in given));
  return [...new Set(fields)];
}
