// The roles a connection serves and the fields each role takes. A plugin name may have a source and a
// sink (zendesk): one connection then holds the account once and serves both, its config being the union
// of the fields of both; each role reads the fields it knows. `kind` on a connection restricts it to one.
import { invalidField } from '../errors.ts';
import { knownFields } from '../plugins/fields.ts';
import type { Plugins } from '../plugins/load.ts';
import type { SinkPlugin, SourcePlugin } from '../plugins/contract.ts';

export { knownFields, refuseUnknownFields } from '../plugins/fields.ts';

export type PluginKind = 'source' | 'sink';

/** The plugins a connection's plugin name stands for, by role. */
export interface RolePlugins {
  source?: SourcePlugin | undefined;
  sink?: SinkPlugin | undefined;
}

export type RolePlugin = SourcePlugin | SinkPlugin;

export function pluginsNamed(plugins: Plugins, name: string): RolePlugins {
  return { source: plugins.sources.get(name), sink: plugins.sinks.get(name) };
}

/** The roles a stored connection may serve: its kind alone when set, else every role its plugin has. */
export function rolesOf(plugins: Plugins, row: { plugin: string; kind: PluginKind | null }): PluginKind[] {
  if (row.kind !== null) return [row.kind];
  const named = pluginsNamed(plugins, row.plugin);
  return (['source', 'sink'] as const).filter((role) => named[role] !== undefined);
}

/** The plugin serving `role` for a connection's plugin name, if any. */
export function rolePlugin(plugins: Plugins, name: string, role: PluginKind): RolePlugin | undefined {
  return role === 'source' ? plugins.sources.get(name) : plugins.sinks.get(name);
}

/**
 * Picks the roles of a new connection: `kind` restricts it to one; without it, every role the plugin
 * has. A 422 names `plugin` or `kind` when they do not fit.
 */
export function rolesForNew(plugins: Plugins, name: string, kind: PluginKind | undefined): { roles: PluginKind[]; stored: PluginKind | null } {
  const named = pluginsNamed(plugins, name);
  const has = (['source', 'sink'] as const).filter((role) => named[role] !== undefined);
  if (has.length === 0) {
    const known = [...plugins.sources.list(), ...plugins.sinks.list()].map((p) => p.name);
    throw invalidField('plugin', `unknown plugin "${name}"; available: ${[...new Set(known)].join(', ')}`);
  }
  if (kind !== undefined) {
    if (!has.includes(kind)) {
      const list = (kind === 'source' ? plugins.sources : plugins.sinks).list().map((p) => p.name).join(', ');
      throw invalidField('plugin', `unknown ${kind} plugin "${name}"; available: ${list}`);
    }
    return { roles: [kind], stored: kind };
  }
  // A plugin with one role keeps it written down, as before; one with both serves either.
  return { roles: has, stored: has.length === 1 ? (has[0] ?? null) : null };
}

export function describeRoles(roles: readonly PluginKind[]): string {
  return roles.length === 2 ? 'source and sink' : (roles[0] ?? 'nothing');
}

/** The part of a connection's config one role reads: the fields its plugin knows (all of them for a loose schema). */
export function configForRole(plugin: RolePlugin, config: Record<string, unknown>): Record<string, unknown> {
  const known = knownFields(plugin);
  if (!known) return { ...config };
  return Object.fromEntries(Object.entries(config).filter(([key]) => known.has(key)));
}

/** Every secret field of the given roles. */
export function secretFieldsOf(plugins: readonly RolePlugin[]): string[] {
  return [...new Set(plugins.flatMap((p) => [...(p.secretFields ?? [])]))];
}

/**
 * Where the given roles send their credentials (each plugin's destinationFields): the one list behind the
 * rules about moving a connection (update.ts drops its secrets, credentials.ts keeps running jobs on their
 * own copy, resolve.ts refuses a job's override).
 */
export function destinationFieldsOf(plugins: readonly RolePlugin[]): string[] {
  return [...new Set(plugins.flatMap((p) => [...(p.destinationFields ?? [])]))];
}

/** The fields rotated together with the secrets: running jobs take them from their connection. */
export function credentialFieldsOf(plugin: RolePlugin): readonly string[] {
  return plugin.credentialFields ?? plugin.secretFields ?? [];
}
