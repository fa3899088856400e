// Connections: named, configured plugin instances. The config is validated against the plugin's schema
// when saved; secret fields are sealed (AES-256-GCM) and never come back out through the API.
import type { Kysely } from 'kysely';
import type { DB } from '../db/types.ts';
import { AppError, invalidField } from '../errors.ts';
import type { Plugins } from '../plugins/load.ts';
import { parsePluginConfig } from '../plugins/registry.ts';
import { openConfig, sealConfig } from '../plugins/stored-config.ts';
import type { SinkPlugin, SourcePlugin } from '../plugins/contract.ts';

export type PluginKind = 'source' | 'sink';

/** Config fields that decide where a connection's credentials are sent; a job may not override them. */
const DESTINATION_FIELDS = new Set(['base_url', 'subdomain', 'url', 'host', 'email', 'connection_string', 'endpoint']);

export interface ConnectionInput {
  name: string;
  plugin: string;
  kind?: PluginKind | undefined;
  config?: unknown;
}

/** A connection as the API shows it: non-secret config, and which secret fields are set (never their values). */
export interface ConnectionView {
  name: string;
  plugin: string;
  kind: PluginKind;
  config: Record<string, unknown>;
  secret_fields_set: string[];
  created_at: string;
  updated_at: string;
}

interface Deps {
  db: Kysely<DB>;
  plugins: Plugins;
  secretKey: Buffer;
}

export async function createConnection(deps: Deps, input: ConnectionInput): Promise<ConnectionView> {
  const { plugin, kind } = pickPlugin(deps.plugins, input.plugin, input.kind);
  const config = parsePluginConfig(plugin, input.config, 'config');
  const stored = sealConfig(plugin, config, deps.secretKey);
  const inserted = await deps.db
    .insertInto('connections')
    .values({ name: input.name, plugin: plugin.name, kind, config: JSON.stringify(stored.config), secrets: stored.secrets })
    .onConflict((oc) => oc.column('name').doNothing())
    .returningAll()
    .executeTakeFirst();
  if (!inserted) throw new AppError('conflict', `connection "${input.name}" already exists; delete it first to replace it`);
  return viewOf(inserted, plugin, deps.secretKey);
}

export async function listConnections(deps: Deps): Promise<ConnectionView[]> {
  const rows = await deps.db.selectFrom('connections').selectAll().orderBy('name').execute();
  return rows.map((row) => viewOf(row, lookup(deps.plugins, row.plugin, row.kind), deps.secretKey));
}

export async function getConnection(deps: Deps, name: string): Promise<ConnectionView> {
  const row = await deps.db.selectFrom('connections').selectAll().where('name', '=', name).executeTakeFirst();
  if (!row) throw new AppError('not_found', `connection "${name}" does not exist`);
  return viewOf(row, lookup(deps.plugins, row.plugin, row.kind), deps.secretKey);
}

export async function deleteConnection(deps: Pick<Deps, 'db'>, name: string): Promise<void> {
  const deleted = await deps.db.deleteFrom('connections').where('name', '=', name).executeTakeFirst();
  if (Number(deleted.numDeletedRows) === 0) throw new AppError('not_found', `connection "${name}" does not exist`);
}

/**
 * The full config a job uses: the connection's (secrets opened) with the job's overrides on top.
 * `field` names the job-request field for errors (e.g. `source`, `sinks.0`).
 */
export async function resolveConnection(deps: Deps, name: string, kind: PluginKind, overrides: unknown, field: string): Promise<{ plugin: string; config: Record<string, unknown> }> {
  const row = await deps.db.selectFrom('connections').selectAll().where('name', '=', name).executeTakeFirst();
  if (!row) throw invalidField(`${field}.connection`, `connection "${name}" does not exist`);
  if (row.kind !== kind) throw invalidField(`${field}.connection`, `connection "${name}" is a ${row.kind}, not a ${kind}`);
  if (overrides !== undefined && (typeof overrides !== 'object' || overrides === null || Array.isArray(overrides))) throw invalidField(`${field}.config`, 'must be an object');
  if (row.secrets) {
    // The connection's credentials must only ever go where its owner pointed them.
    const redirect = Object.keys((overrides as Record<string, unknown> | undefined) ?? {}).find((key) => DESTINATION_FIELDS.has(key));
    if (redirect) throw invalidField(`${field}.config.${redirect}`, `cannot be overridden: connection "${name}" holds credentials that go only where it points; create another connection`);
  }
  return { plugin: row.plugin, config: { ...openConfig(row, deps.secretKey), ...(overrides as Record<string, unknown> | undefined) } };
}

function pickPlugin(plugins: Plugins, name: string, kind: PluginKind | undefined): { plugin: SourcePlugin | SinkPlugin; kind: PluginKind } {
  const source = plugins.sources.get(name);
  const sink = plugins.sinks.get(name);
  if (kind === 'source' || (kind === undefined && source && !sink)) {
    if (!source) throw invalidField('plugin', `unknown source plugin "${name}"; available: ${plugins.sources.list().map((p) => p.name).join(', ')}`);
    return { plugin: source, kind: 'source' };
  }
  if (kind === 'sink' || (kind === undefined && sink && !source)) {
    if (!sink) throw invalidField('plugin', `unknown sink plugin "${name}"; available: ${plugins.sinks.list().map((p) => p.name).join(', ')}`);
    return { plugin: sink, kind: 'sink' };
  }
  if (source && sink) throw invalidField('kind', `"${name}" is both a source and a sink plugin; set kind to "source" or "sink"`);
  const known = [...plugins.sources.list(), ...plugins.sinks.list()].map((p) => p.name);
  throw invalidField('plugin', `unknown plugin "${name}"; available: ${[...new Set(known)].join(', ')}`);
}

function lookup(plugins: Plugins, name: string, kind: PluginKind): { secretFields?: readonly string[] } {
  return (kind === 'source' ? plugins.sources.get(name) : plugins.sinks.get(name)) ?? {};
}

function viewOf(row: { name: string; plugin: string; kind: PluginKind; config: Record<string, unknown>; secrets: string | null; created_at: Date; updated_at: Date }, plugin: { secretFields?: readonly string[] }, key: Buffer): ConnectionView {
  const config = { ...row.config };
  // Belt and braces: a secret field never leaves, even if it was somehow stored in clear.
  for (const field of plugin.secretFields ?? []) delete config[field];
  return {
    name: row.name,
    plugin: row.plugin,
    kind: row.kind,
    config,
    secret_fields_set: row.secrets ? Object.keys(openConfig({ config: {}, secrets: row.secrets }, key)).sort() : [],
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}
