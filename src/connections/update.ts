// PATCH /v1/connections/{name}: a JSON merge patch (RFC 7396) on a connection's config, checked like a
// create, in place. The name, the cursor (where the next job's read resumes) and the history stay; secret
// fields change only when given and are all sealed again under the current key. plugin and kind cannot
// change (409): jobs rely on what a name stands for.
import { AppError, invalidField } from '../errors.ts';
import { encryptSecret, openSealed, SecretUnreadableError } from '../secrets/crypto.ts';
import { isPlainObject, mergePatch } from './merge-patch.ts';
import { describeRoles, rolesOf, secretFieldsOf } from './roles.ts';
import type { Actor, ConnectionDeps } from './store.ts';
import { checkConnectionConfig, pluginsForRoles } from './validate.ts';
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
    const secretFields = secretFieldsOf(pluginsForRoles(deps.plugins, row.plugin, roles));
    const before = storedSecrets(deps, row.name, row.secrets);
    const changes = patch.config ?? {};
    const merged = mergePatch({ ...row.config, ...before }, changes);
    const { clear, secret } = checkConnectionConfig(deps.plugins, row.plugin, roles, merged);
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
        ...actor,
      },
      'connection updated',
    );
    return viewOf(updated, deps.plugins, deps.secretKey);
  });
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
