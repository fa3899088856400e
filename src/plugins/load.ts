// Assembles the plugin set: the first-party plugins, then the npm packages named in BATCHLINE_PLUGINS.
// A package is imported the way a user installed it (resolved from the working directory, then from
// Batchline's own node_modules) and must hand back plugins that satisfy the contract; anything else
// stops start-up with one line naming the package.
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { SinkConfigError, SourceConfigError, SourceFatalError, type SinkPlugin, type SourcePlugin } from './contract.ts';
import { firstPartySinks, firstPartySources } from './first-party.ts';
import { createRegistry, type PluginEntry, type SinkRegistry, type SourceRegistry } from './registry.ts';

export interface Plugins {
  sources: SourceRegistry;
  sinks: SinkRegistry;
}

/** What a plugin package's default export may be given, so it needs no zod of its own. */
export interface PluginHost {
  z: typeof z;
  /** Thrown by a source: a config problem found by check() (422 naming the field), a read that cannot succeed. */
  errors: { SourceConfigError: typeof SourceConfigError; SourceFatalError: typeof SourceFatalError; SinkConfigError: typeof SinkConfigError };
  /** The contract version the host speaks; bumped only on a breaking change. */
  contractVersion: 1;
}

/** What a plugin package exports (default): its plugins, or a function of the host returning them. */
export interface PluginPackage {
  sources?: SourcePlugin[];
  sinks?: SinkPlugin[];
}

export class PluginLoadError extends Error {
  override name = 'PluginLoadError';
}

export function firstPartyPlugins(): Plugins {
  return {
    sources: createRegistry(firstPartySources().map((plugin) => ({ plugin, origin: 'first-party' }))),
    sinks: createRegistry(firstPartySinks().map((plugin) => ({ plugin, origin: 'first-party' }))),
  };
}

export async function loadPlugins(packages: readonly string[]): Promise<Plugins> {
  const sources: Array<PluginEntry<SourcePlugin>> = firstPartySources().map((plugin) => ({ plugin, origin: 'first-party' }));
  const sinks: Array<PluginEntry<SinkPlugin>> = firstPartySinks().map((plugin) => ({ plugin, origin: 'first-party' }));
  for (const name of packages) {
    const found = await importPackage(name);
    for (const plugin of found.sources ?? []) sources.push({ plugin: checked(name, plugin, 'read', sources), origin: name });
    for (const plugin of found.sinks ?? []) sinks.push({ plugin: checked(name, plugin, 'deliver', sinks), origin: name });
    if ((found.sources?.length ?? 0) + (found.sinks?.length ?? 0) === 0) throw new PluginLoadError(`plugin package "${name}" exports no sources and no sinks`);
  }
  return { sources: createRegistry(sources), sinks: createRegistry(sinks) };
}

async function importPackage(name: string): Promise<PluginPackage> {
  let resolved: string;
  try {
    resolved = resolveFrom(process.cwd(), name) ?? resolveFrom(import.meta.dirname, name) ?? '';
  } catch {
    resolved = '';
  }
  if (!resolved) throw new PluginLoadError(`plugin package "${name}" (BATCHLINE_PLUGINS) is not installed; run npm install ${name}`);
  let module: { default?: unknown };
  try {
    module = (await import(pathToFileURL(resolved).href)) as { default?: unknown };
  } catch (error) {
    throw new PluginLoadError(`plugin package "${name}" failed to load: ${error instanceof Error ? error.message : String(error)}`);
  }
  const host: PluginHost = { z, errors: { SourceConfigError, SourceFatalError, SinkConfigError }, contractVersion: 1 };
  const exported = typeof module.default === 'function' ? await (module.default as (host: PluginHost) => unknown)(host) : module.default;
  if (!exported || typeof exported !== 'object') throw new PluginLoadError(`plugin package "${name}" has no default export of { sources, sinks } or a function returning it`);
  const { sources, sinks } = exported as PluginPackage;
  if ((sources !== undefined && !Array.isArray(sources)) || (sinks !== undefined && !Array.isArray(sinks))) {
    throw new PluginLoadError(`plugin package "${name}": sources and sinks must be arrays`);
  }
  return { ...(sources ? { sources } : {}), ...(sinks ? { sinks } : {}) };
}

function resolveFrom(dir: string, name: string): string | undefined {
  try {
    return createRequire(path.join(dir, 'noop.js')).resolve(name);
  } catch {
    return undefined;
  }
}

function checked<P extends SourcePlugin | SinkPlugin>(pkg: string, plugin: P, method: 'read' | 'deliver', existing: Array<PluginEntry<P>>): P {
  const where = `plugin package "${pkg}"`;
  if (!plugin || typeof plugin.name !== 'string' || !/^[a-z][a-z0-9-]{0,62}$/.test(plugin.name)) throw new PluginLoadError(`${where}: every plugin needs a name of lower-case letters, digits and dashes`);
  if (typeof (plugin as unknown as Record<string, unknown>)[method] !== 'function') throw new PluginLoadError(`${where}: plugin "${plugin.name}" has no ${method}() function`);
  if (!plugin.configSchema || typeof plugin.configSchema.safeParse !== 'function') throw new PluginLoadError(`${where}: plugin "${plugin.name}" has no zod configSchema`);
  const clash = existing.find((e) => e.plugin.name === plugin.name);
  if (clash) throw new PluginLoadError(`${where}: plugin name "${plugin.name}" is already taken by ${clash.origin}`);
  return plugin;
}
