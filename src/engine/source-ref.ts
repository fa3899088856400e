// Turns the `source` and `sinks` of a job request into what the job stores: plugin, connection name,
// config checked against the plugin (schema, then the plugin's own check), secret fields sealed.
import { resolveConnection } from '../connections/store.ts';
import { invalidField } from '../errors.ts';
import { SourceConfigError } from '../plugins/contract.ts';
import { checkSinkConfig, checkSourceConfig } from '../plugins/registry.ts';
import { sealConfig, type StoredConfig, type StoredSink } from '../plugins/stored-config.ts';
import type { EngineContext } from './context.ts';

/** A job's source as stored in jobs.source. */
export interface StoredSource extends StoredConfig {
  /** The connection it was read through: its cursor is where the next job on it resumes. */
  connection: string | null;
}

export interface PluginRef {
  plugin?: string | undefined;
  connection?: string | undefined;
  config?: unknown;
}

type Deps = Pick<EngineContext, 'db' | 'config' | 'sinks' | 'sources' | 'secretKey' | 'log'>;

/** The stored source, and whether a job on it stays open for later documents (watch, webhooks). */
export async function resolveSourceRef(ctx: Deps, ref: PluginRef): Promise<{ stored: StoredSource; follows: boolean }> {
  const { plugin, config } = await pluginAndConfig(ctx, ref, 'source', 'source');
  const checked = checkSourceConfig(ctx.sources, plugin, config, 'source');
  try {
    await checked.source.check?.(checked.config, { fileRoots: ctx.config.BATCHLINE_FILE_ROOTS, log: ctx.log });
  } catch (error) {
    if (error instanceof SourceConfigError) throw invalidField(`source.config.${error.field}`, error.message);
    throw error;
  }
  return {
    stored: { ...sealConfig(checked.source, checked.config, ctx.secretKey), connection: ref.connection ?? null },
    follows: checked.source.follow?.(checked.config) !== undefined,
  };
}

export async function resolveSinkRefs(ctx: Deps, refs: readonly PluginRef[]): Promise<StoredSink[]> {
  const stored: StoredSink[] = [];
  for (const [i, ref] of refs.entries()) {
    const { plugin, config } = await pluginAndConfig(ctx, ref, 'sink', `sinks.${i}`);
    const { sink, config: parsed } = checkSinkConfig(ctx.sinks, plugin, config, `sinks.${i}`);
    stored.push(sealConfig(sink, parsed, ctx.secretKey));
  }
  return stored;
}

async function pluginAndConfig(ctx: Deps, ref: PluginRef, kind: 'source' | 'sink', field: string): Promise<{ plugin: string; config: unknown }> {
  if (ref.connection !== undefined) {
    if (ref.plugin !== undefined) throw invalidField(`${field}.plugin`, 'give either "plugin" or "connection", not both');
    return resolveConnection({ db: ctx.db, plugins: { sources: ctx.sources, sinks: ctx.sinks }, secretKey: ctx.secretKey }, ref.connection, kind, ref.config, field);
  }
  if (!ref.plugin) throw invalidField(`${field}.plugin`, 'is required (or name a "connection")');
  return { plugin: ref.plugin, config: ref.config };
}
