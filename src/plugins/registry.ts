// Where plugins are found by name. Every call into a plugin goes through here, so a failure names the plugin.
import type { ZodType } from 'zod';
import type { SinkPlugin, SourcePlugin } from './contract.ts';
import { fieldPath, invalidField } from '../errors.ts';
import { refuseUnknownFields } from './fields.ts';
import { scrubSecrets } from '../secrets/scrub.ts';

export interface Registry<P extends { name: string }> {
  get(name: string): P | undefined;
  list(): P[];
  /** `first-party`, or the npm package a third-party plugin came from. */
  originOf(name: string): string | undefined;
}

export type SinkRegistry = Registry<SinkPlugin>;
export type SourceRegistry = Registry<SourcePlugin>;

export interface PluginEntry<P> {
  plugin: P;
  origin: string;
}

export function createRegistry<P extends { name: string }>(entries: Array<PluginEntry<P>>): Registry<P> {
  const byName = new Map(entries.map((e) => [e.plugin.name, e]));
  return {
    get: (name) => byName.get(name)?.plugin,
    list: () => [...byName.values()].map((e) => e.plugin),
    originOf: (name) => byName.get(name)?.origin,
  };
}


/** Validates a plugin config against the plugin's schema; throws a 422 naming `<configField>.<path>`. */
export function parsePluginConfig(plugin: { configSchema: ZodType }, config: unknown, configField: string): unknown {
  const parsed = plugin.configSchema.safeParse(config ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  // An unknown key is named itself (`config.ticket_fields.prio`), not the object holding it.
  if (issue?.code === 'unrecognized_keys') throw invalidField(`${configField}.${fieldPath([...issue.path, issue.keys[0] ?? ''])}`, 'is not a known field');
  throw invalidField(`${configField}.${fieldPath(issue?.path ?? [])}`.replace(/\.\(body\)$/, ''), issue?.message ?? 'invalid');
}

/** Validates a sink reference of a job request; throws a 422 naming the field. */
export function checkSinkConfig(registry: SinkRegistry, plugin: string, config: unknown, field: string): { sink: SinkPlugin; config: unknown } {
  const sink = registry.get(plugin);
  if (!sink) throw invalidField(`${field}.plugin`, `unknown sink plugin "${plugin}"; available: ${registry.list().map((p) => p.name).join(', ')}`);
  refuseUnknown(sink, config, `${field}.config`, `the ${plugin} sink`);
  return { sink, config: parsePluginConfig(sink, config, `${field}.config`) };
}

/** Validates a source reference of a job request (schema only; the plugin's own check runs at ingest set-up). */
export function checkSourceConfig(registry: SourceRegistry, plugin: string, config: unknown, field: string): { source: SourcePlugin; config: unknown } {
  const source = registry.get(plugin);
  if (!source) throw invalidField(`${field}.plugin`, `unknown source plugin "${plugin}"; available: ${registry.list().map((p) => p.name).join(', ')}`);
  refuseUnknown(source, config, `${field}.config`, `the ${plugin} source`);
  return { source, config: parsePluginConfig(source, config, `${field}.config`) };
}

function refuseUnknown(plugin: { configSchema: ZodType }, config: unknown, field: string, what: string): void {
  if (typeof config === 'object' && config !== null && !Array.isArray(config)) refuseUnknownFields([plugin], config as Record<string, unknown>, field, what);
}

/** Wraps anything a plugin throws so logs and rows say which plugin and method failed. */
export class PluginError extends Error {
  override name = 'PluginError';
  constructor(
    readonly plugin: string,
    readonly method: string,
    cause: unknown,
  ) {
    // Kept in rows, logs and spans: URL credentials and query strings a plugin's error quotes are cut.
    super(`plugin ${plugin}.${method} failed: ${scrubSecrets(cause instanceof Error ? cause.message : String(cause))}`, { cause });
  }
}
