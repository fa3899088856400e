// A connection as the API shows it: its roles, its non-secret config, which secret fields are set (never
// their values) and whether they are sealed under the current key (for BATCHLINE_SECRET_KEY rotation).
import type { ConnectionsTable } from '../db/types.ts';
import type { Selectable } from 'kysely';
import type { Plugins } from '../plugins/load.ts';
import { openSealed, SecretUnreadableError } from '../secrets/crypto.ts';
import type { SecretKeys } from '../secrets/key.ts';
import { rolesOf, secretFieldsOf, type PluginKind } from './roles.ts';
import { pluginsForRoles } from './validate.ts';

export type ConnectionRow = Omit<Selectable<ConnectionsTable>, 'cursor'> & { cursor?: unknown };

export interface ConnectionView {
  name: string;
  plugin: string;
  /** The one role it is restricted to; null when it serves every role in `roles`. */
  kind: PluginKind | null;
  roles: PluginKind[];
  config: Record<string, unknown>;
  secret_fields_set: string[];
  /** Which key opens its secrets: the current one, a fallback (re-seal pending), none (unreadable); null without secrets. */
  secrets_key: 'current' | 'fallback' | 'unreadable' | null;
  created_at: string;
  updated_at: string;
}

export function viewOf(row: ConnectionRow, plugins: Plugins, keys: SecretKeys): ConnectionView {
  const roles = rolesOf(plugins, row);
  const config = { ...row.config };
  // A secret field never leaves, even stored in clear: http `headers` were, before they became secret
  // (#29). Such a connection still works (openConfig reads clear and sealed fields alike) and its next
  // PATCH seals them; a SQL migration could not, the key not being in the database.
  const inClear: string[] = [];
  for (const field of secretFieldsOf(pluginsForRoles(plugins, row.plugin, roles.length > 0 ? roles : ['source', 'sink']))) {
    if (config[field] !== undefined) inClear.push(field);
    delete config[field];
  }
  let secretFields: string[] = [];
  let secretsKey: ConnectionView['secrets_key'] = null;
  if (row.secrets) {
    try {
      const opened = openSealed(keys, row.secrets);
      secretFields = Object.keys(JSON.parse(opened.plaintext) as Record<string, unknown>).sort();
      secretsKey = opened.current ? 'current' : 'fallback';
    } catch (error) {
      if (!(error instanceof SecretUnreadableError)) throw error;
      secretsKey = 'unreadable';
    }
  }
  return {
    name: row.name,
    plugin: row.plugin,
    kind: row.kind,
    roles,
    config,
    secret_fields_set: [...new Set([...secretFields, ...inClear])].sort(),
    secrets_key: secretsKey,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

