// Connections: named, configured plugin instances. The config is validated against the plugin's schema
// (each role's, for a plugin that is both a source and a sink) when saved; secret fields are sealed
// (AES-256-GCM) and never come back out through the API. Every change leaves an audit log line that
// names the fields, never a value.
import type { Kysely } from 'kysely';
import type { DB } from '../db/types.ts';
import { AppError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { Plugins } from '../plugins/load.ts';
import { encryptSecret } from '../secrets/crypto.ts';
import type { SecretKeys } from '../secrets/key.ts';
import { describeRoles, rolesForNew, type PluginKind } from './roles.ts';
import { checkConnectionConfig } from './validate.ts';
import { viewOf, type ConnectionView } from './view.ts';

export type { PluginKind } from './roles.ts';
export type { ConnectionView } from './view.ts';

export interface ConnectionInput {
  name: string;
  plugin: string;
  kind?: PluginKind | undefined;
  config?: unknown;
}

export interface ConnectionDeps {
  db: Kysely<DB>;
  plugins: Plugins;
  secretKey: SecretKeys;
  log?: Logger | undefined;
}

/** Who asked, for audit lines: a short digest of the bearer token, never the token. */
export interface Actor {
  by: string;
}

export async function createConnection(deps: ConnectionDeps, input: ConnectionInput, actor?: Actor): Promise<ConnectionView> {
  const { roles, stored: kind } = rolesForNew(deps.plugins, input.plugin, input.kind);
  const { clear, secret } = checkConnectionConfig(deps.plugins, input.plugin, roles, input.config ?? {});
  const secrets = Object.keys(secret).length > 0 ? encryptSecret(deps.secretKey, JSON.stringify(secret)) : null;
  const inserted = await deps.db
    .insertInto('connections')
    .values({ name: input.name, plugin: input.plugin, kind, config: JSON.stringify(clear), secrets })
    .onConflict((oc) => oc.column('name').doNothing())
    .returningAll()
    .executeTakeFirst();
  if (!inserted) throw new AppError('conflict', `connection "${input.name}" already exists; change it with PATCH /v1/connections/${input.name}, or delete it first to replace it`);
  deps.log?.info({ audit: 'connection.create', connection: input.name, plugin: input.plugin, roles: describeRoles(roles), fields: Object.keys(clear).sort(), secret_fields: Object.keys(secret).sort(), ...actor }, 'connection created');
  return viewOf(inserted, deps.plugins, deps.secretKey);
}

export async function listConnections(deps: ConnectionDeps): Promise<ConnectionView[]> {
  const rows = await deps.db.selectFrom('connections').selectAll().orderBy('name').execute();
  return rows.map((row) => viewOf(row, deps.plugins, deps.secretKey));
}

export async function getConnection(deps: ConnectionDeps, name: string): Promise<ConnectionView> {
  const row = await deps.db.selectFrom('connections').selectAll().where('name', '=', name).executeTakeFirst();
  if (!row) throw new AppError('not_found', `connection "${name}" does not exist`);
  return viewOf(row, deps.plugins, deps.secretKey);
}

export async function deleteConnection(deps: Pick<ConnectionDeps, 'db' | 'log'>, name: string, actor?: Actor): Promise<void> {
  const deleted = await deps.db.deleteFrom('connections').where('name', '=', name).executeTakeFirst();
  if (Number(deleted.numDeletedRows) === 0) throw new AppError('not_found', `connection "${name}" does not exist`);
  deps.log?.info({ audit: 'connection.delete', connection: name, ...actor }, 'connection deleted');
}
