// PATCH /v1/connections/{name}: a JSON merge patch (RFC 7396) on a connection's config, checked like a
// create, in place. The name, the cursor (where the next job's read resumes) and the history stay; secret
// fields change only when given and are all sealed again under the current key. plugin and kind cannot
// change (409): jobs rely on what a name stands for. A patch that moves the connection (a destination
// field: another account or URL) keeps only the secrets it gives itself: a token never follows its
// connection to a host it was not issued for.
import { AppError, invalidField } from '../errors.ts';
import type { Plugins } from '../plugins/load.ts';
import { encryptSecret, openSealed, SecretUnreadableError } from '../secrets/crypto.ts';
import { isPlainObject, mergePatch } from './merge-patch.ts';
import { describeRoles, destinationFieldsOf, rolesOf, secretFieldsOf, type PluginKind } from './roles.ts';
import type { Actor, ConnectionDeps } from './store.ts';
import { checkConnectionConfig, pluginsForRoles, type CheckedConfig } from './validate.ts';
import { viewOf, type ConnectionView } from './view.ts';

export interface ConnectionPatch {
  config?: Record<string, unknown> | null | undefined;
  /** Read-only members: accepted when equal to what the connection has, 409 otherwise. */
  name?: string | undefined;
  plugin?: string | undefined;
  kind?: 'source' | 'sink' | null | undefined;
}

export async function updateConnection(deps: ConnectionDeps, name: string, patch: ConnectionPatch, actor?: Actor): Promise<ConnectionView> {
  if (patch.config !== undefined && patch.config !== null && !isPlainObject(patch.config)) throw invalidField('config', 'must be an object');
  return deps.db.transaction().execute(async (trx) => {
    // Locked for the read-modify-write: two PATCHes of different fields both land.
    const row = await trx.selectFrom('connections').selectAll().where('name', '=', name).forUpdate().executeTakeFirst();
    if (!row) throw new AppError('not_found', `connection "${name}" does not exist`);
    if (patch.name !== undefined && patch.name !== row.name) {
      throw conflict('name', `a connection cannot be renamed: jobs and the webhook URL refer to "${row.name}"; create another connection instead`);
    }
    if (patch.plugin !== undefined && patch.plugin !== row.plugin) {
      throw conflict('plugin', `cannot change from "${row.plugin}" to "${patch.plugin}": jobs and the saved cursor belong to a ${row.plugin} connection; create another connection instead`);
    }
    if (patch.kind !== undefined && patch.kind !== row.kind) {
      throw conflict('kind', `cannot change from ${row.kind ?? 'null (every role)'} to ${patch.kind ?? 'null'}: jobs rely on the roles the connection serves; create another connection instead`);
    }
    const roles = rolesOf(deps.plugins, row);
    const rolePlugins = pluginsForRoles(deps.plugins, row.plugin, roles);
    const secretFields = secretFieldsOf(rolePlugins);
    const before = storedSecrets(deps, row.name, row.secrets);
    const changes = patch.config ?? {};
    const stored = { ...row.config, ...before };
    const merged = mergePatch(stored, changes) as Record<string, unknown>;
    const moved = destinationFieldsOf(rolePlugins).filter((f) => JSON.stringify(merged[f] ?? null) !== JSON.stringify(stored[f] ?? null));
    const { clear, secret } = moved.length > 0 ? checkMoved(deps.plugins, row.plugin, roles, secretFields, merged, changes) : checkConnectionConfig(deps.plugins, row.plugin, roles, merged);
    const dropped = secretFields.filter((f) => stored[f] !== undefined && secret[f] === undefined && changes[f] !== null);
    // Sealed again whatever changed: a PATCH also moves the secrets onto the current key.
    const secrets = Object.keys(secret).length > 0 ? encryptSecret(deps.secretKey, JSON.stringify(secret)) : null;
    const updated = await trx
      .updateTable('connections')
      .set({ config: JSON.stringify(clear), secrets, updated_at: new Date() })
      .where('name', '=', name)
      .returningAll()
      .executeTakeFirstOrThrow();
    const given = Object.keys(changes);
    deps.log?.info(
      {
        audit: 'connection.update',
        connection: name,
        plugin: row.plugin,
        roles: describeRoles(roles),
        changed: given.filter((k) => !secretFields.includes(k) && JSON.stringify(row.config[k]) !== JSON.stringify(clear[k])).sort(),
        secrets_set: given.filter((k) => secretFields.includes(k) && changes[k] !== null).sort(),
        secrets_removed: given.filter((k) => secretFields.includes(k) && changes[k] === null && k in before).sort(),
        ...(moved.length > 0 ? { moved: moved.sort(), secrets_dropped: dropped.sort() } : {}),
        ...actor,
      },
      'connection updated',
    );
    return viewOf(updated, deps.plugins, deps.secretKey);
  });
}

/**
 * A patch that moves the connection: its stored secrets are dropped, and only those the patch gives are
 * kept (a secret object such as http `headers` as given, not merged with the stored one). The config is
 * checked as it stands when it can be; when it fails only for want of the dropped secrets (zendesk asks
 * for a token), it is checked with them in place and saved without them, so a job on it is refused with
 * "needs its credentials again" (resolve.ts) until a PATCH gives them.
 */
function checkMoved(plugins: Plugins, plugin: string, roles: readonly PluginKind[], secretFields: readonly string[], merged: Record<string, unknown>, changes: Record<string, unknown>): CheckedConfig {
  const given = Object.fromEntries(secretFields.filter((f) => changes[f] !== undefined && changes[f] !== null).map((f) => [f, mergePatch(undefined, changes[f])]));
  const bare = { ...Object.fromEntries(Object.entries(merged).filter(([f]) => !secretFields.includes(f))), ...given };
  try {
    return checkConnectionConfig(plugins, plugin, roles, bare);
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    // Any problem other than a missing secret shows here, with the secrets still in place.
    const shaped = checkConnectionConfig(plugins, plugin, roles, { ...merged, ...given });
    return { clear: shaped.clear, secret: Object.fromEntries(Object.keys(given).map((f) => [f, shaped.secret[f]])) };
  }
}

/**
 * The secrets as stored; none when no configured key opens them (the key is gone): then the patch must
 * give them again, and the check below names the ones still missing. This is how such a connection heals.
 */
function storedSecrets(deps: ConnectionDeps, name: string, sealed: string | null): Record<string, unknown> {
  if (!sealed) return {};
  try {
    return JSON.parse(openSealed(deps.secretKey, sealed).plaintext) as Record<string, unknown>;
  } catch (error) {
    if (!(error instanceof SecretUnreadableError)) throw error;
    deps.log?.warn({ connection: name }, 'connection secrets unreadable with the configured keys; the patch must give them again');
    return {};
  }
}

function conflict(field: string, message: string): AppError {
  return new AppError('conflict', `${field}: ${message}`, { problems: [{ field, message }] });
}
