// A connection's config checked the way a job will use it: every field known to one of its roles, and
// each role's part valid against that role's schema (a 422 names the field; never its value). Secret
// fields are split off to be sealed.
import { invalidField } from '../errors.ts';
import type { Plugins } from '../plugins/load.ts';
import { parsePluginConfig } from '../plugins/registry.ts';
import { splitSecrets } from '../plugins/stored-config.ts';
import { isPlainObject } from './merge-patch.ts';
import { configForRole, describeRoles, refuseUnknownFields, rolePlugin, secretFieldsOf, type PluginKind, type RolePlugin } from './roles.ts';

export interface CheckedConfig {
  /** The non-secret fields, as stored in connections.config. */
  clear: Record<string, unknown>;
  /** The secret fields, to be sealed. */
  secret: Record<string, unknown>;
}

export function pluginsForRoles(plugins: Plugins, name: string, roles: readonly PluginKind[]): RolePlugin[] {
  return roles.map((role) => rolePlugin(plugins, name, role)).filter((p): p is RolePlugin => p !== undefined);
}

/**
 * A connection of one role stores its plugin's parsed config (defaults filled in), as it always has. One
 * serving both roles stores the fields as given, since each role parses its part with its own defaults.
 */
export function checkConnectionConfig(plugins: Plugins, name: string, roles: readonly PluginKind[], config: unknown): CheckedConfig {
  if (!isPlainObject(config)) throw invalidField('config', 'must be an object');
  const rolePlugins = pluginsForRoles(plugins, name, roles);
  refuseUnknownFields(rolePlugins, config, 'config', `plugin "${name}" (${describeRoles(roles)})`);
  const parsed = rolePlugins.map((plugin) => parsePluginConfig(plugin, configForRole(plugin, config), 'config'));
  const value = rolePlugins.length === 1 ? parsed[0] : config;
  return splitSecrets({ name, secretFields: secretFieldsOf(rolePlugins) }, value);
}
