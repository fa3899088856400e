// Where plugins are found by name. Every call into a plugin goes through here, so a failure names the plugin.
import type { SinkPlugin } from './contract.ts';
import { invalidField } from '../errors.ts';
import { fieldPath } from '../errors.ts';

export interface SinkRegistry {
  get(name: string): SinkPlugin | undefined;
  list(): SinkPlugin[];
}

export function createSinkRegistry(plugins: SinkPlugin[]): SinkRegistry {
  const byName = new Map(plugins.map((p) => [p.name, p]));
  return { get: (name) => byName.get(name), list: () => [...byName.values()] };
}

/** Validates a sink reference of a job request; throws a 422 naming the field. */
export function checkSinkConfig(registry: SinkRegistry, plugin: string, config: unknown, field: string): { sink: SinkPlugin; config: unknown } {
  const sink = registry.get(plugin);
  if (!sink) throw invalidField(`${field}.plugin`, `unknown sink plugin "${plugin}"; available: ${registry.list().map((p) => p.name).join(', ')}`);
  const parsed = sink.configSchema.safeParse(config ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw invalidField(`${field}.config.${fieldPath(issue?.path ?? [])}`.replace(/\.\(body\)$/, ''), issue?.message ?? 'invalid');
  }
  return { sink, config: parsed.data };
}

/** Wraps anything a plugin throws so logs and rows say which plugin and method failed. */
export class PluginError extends Error {
  override name = 'PluginError';
  constructor(
    readonly plugin: string,
    readonly method: string,
    cause: unknown,
  ) {
    super(`plugin ${plugin}.${method} failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}
