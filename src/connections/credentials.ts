// The credentials a running job uses: a job keeps its own sealed copy of its config, but the credential
// fields it took from a connection follow that connection, so a token rotated with PATCH is used from the
// next request on (deliveries, source reads, long exports). A connection that is gone, or now names
// another plugin or role, leaves the job with its own copy.
import type { Kysely } from 'kysely';
import type { DB } from '../db/types.ts';
import type { Logger } from '../logger.ts';
import type { Plugins } from '../plugins/load.ts';
import { openConfig, type StoredConfig } from '../plugins/stored-config.ts';
import type { SecretKeys } from '../secrets/key.ts';
import { credentialFieldsOf, destinationFieldsOf, rolePlugin, rolesOf, type PluginKind, type RolePlugin } from './roles.ts';

export interface CredentialDeps {
  db: Kysely<DB>;
  plugins: Plugins;
  secretKey: SecretKeys;
  log: Logger;
}

/** A job's stored config of one role, as source-ref.ts wrote it. */
export interface StoredUse extends StoredConfig {
  connection?: string | null | undefined;
  own_credentials?: readonly string[] | undefined;
}

/**
 * The credential fields as the job's connection holds them now, every field present (undefined when
 * unset); undefined when they cannot come from the connection (none, gone, another plugin or role).
 */
export async function connectionCredentials(deps: CredentialDeps, stored: StoredUse, role: PluginKind): Promise<Record<string, unknown> | undefined> {
  const plugin = rolePlugin(deps.plugins, stored.plugin, role);
  if (!stored.connection || !plugin) return undefined;
  const row = await deps.db.selectFrom('connections').select(['plugin', 'kind', 'config', 'secrets']).where('name', '=', stored.connection).executeTakeFirst();
  if (!row || row.plugin !== stored.plugin || !rolesOf(deps.plugins, row).includes(role)) return undefined;
  let current: Record<string, unknown>;
  try {
    current = openConfig(row, deps.secretKey);
  } catch (error) {
    // The job's own copy still works; the connection needs its secrets given again.
    deps.log.warn({ connection: stored.connection, err: error instanceof Error ? error.message : String(error) }, 'connection secrets unreadable; the job uses its own copy');
    return undefined;
  }
  // Moved to another account or URL: the job goes on where it started, with what it holds.
  const moved = movedDestination(plugin, openConfig(stored, deps.secretKey), current);
  if (moved.length > 0) {
    deps.log.warn({ connection: stored.connection, fields: moved }, 'connection now points elsewhere; the job keeps its own credentials');
    return undefined;
  }
  const own = new Set(stored.own_credentials ?? []);
  const fields = credentialFieldsOf(plugin).filter((f) => !own.has(f));
  return Object.fromEntries(fields.map((f) => [f, current[f]]));
}

/** The destination fields whose value in the connection differs from the job's copy. */
function movedDestination(plugin: RolePlugin, job: Record<string, unknown>, connection: Record<string, unknown>): string[] {
  return destinationFieldsOf([plugin]).filter((f) => JSON.stringify(job[f] ?? null) !== JSON.stringify(connection[f] ?? null));
}

/** The job's stored config with its connection's current credentials laid over it. */
export async function currentConfig(deps: CredentialDeps, stored: StoredUse, role: PluginKind): Promise<Record<string, unknown>> {
  const opened = openConfig(stored, deps.secretKey);
  const credentials = await connectionCredentials(deps, stored, role);
  return credentials ? withCredentials(opened, credentials) : opened;
}

export function withCredentials(config: Record<string, unknown>, credentials: Record<string, unknown>): Record<string, unknown> {
  const next = { ...config };
  for (const [field, value] of Object.entries(credentials)) {
    if (value === undefined) delete next[field];
    else next[field] = value;
  }
  return next;
}

/** ctx.currentCredentials for a source read: asks the database at most once a second unless told to. */
export function credentialsReader(deps: CredentialDeps, stored: StoredUse, role: PluginKind, ttlMs = 1000): ((fresh?: boolean) => Promise<Record<string, unknown>>) | undefined {
  if (!stored.connection) return undefined;
  let cached: { at: number; value: Promise<Record<string, unknown>> } | undefined;
  return (fresh = false) => {
    if (!cached || fresh || Date.now() - cached.at > ttlMs) {
      const value = connectionCredentials(deps, stored, role).then(async (c) => c ?? credentialsOfOwnCopy(deps, stored, role));
      cached = { at: Date.now(), value };
      // A failed lookup is not kept: the next request asks again.
      value.catch(() => {
        cached = undefined;
      });
    }
    return cached.value;
  };
}

/** The credentials as the job copied them, for a connection that can no longer give its own. */
function credentialsOfOwnCopy(deps: CredentialDeps, stored: StoredUse, role: PluginKind): Record<string, unknown> {
  const plugin = rolePlugin(deps.plugins, stored.plugin, role);
  const opened = openConfig(stored, deps.secretKey);
  return Object.fromEntries((plugin ? credentialFieldsOf(plugin) : []).map((f) => [f, opened[f]]));
}
