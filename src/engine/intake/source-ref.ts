// Turns the `source` and `sinks` of a job request into what the job stores: plugin, connection name,
// config checked against the plugin (schema, then the plugin's own check; for a sink, against the job's
// task), secret fields sealed.
import { resolveConnection } from '../../connections/resolve.ts';
import { invalidField } from '../../errors.ts';
import { SinkConfigError, SourceConfigError } from '../../plugins/contract.ts';
import { checkSinkConfig, checkSourceConfig } from '../../plugins/registry.ts';
import { sealConfig, type StoredConfig, type StoredSink } from '../../plugins/stored-config.ts';
import type { ResolvedTask } from '../../tasks/types.ts';
import type { EngineContext } from '../context.ts';

/** A job's source as stored in jobs.source. */
export interface StoredSource extends StoredConfig {
  /** The connection it was read through: its cursor is where the next job on it resumes. */
  connection: string | null;
  /** Credential fields the job request set itself; the others follow the connection (see StoredSink). */
  own_credentials?: string[];
}

export interface PluginRef {
  plugin?: string | undefined;
  connection?: string | undefined;
  config?: unknown;
}

type Deps = Pick<EngineContext, 'db' | 'config' | 'sinks' | 'sources' | 'secretKey' | 'log'>;

/** The stored source, and whether a job on it stays open for later documents (watch, webhooks). */
export async function resolveSourceRef(ctx: Deps, ref: PluginRef): Promise<{ stored: StoredSource; follows: boolean }> {
  const { plugin, config, ownCredentials } = await pluginAndConfig(ctx, ref, 'source', 'source');
  const checked = checkSourceConfig(ctx.sources, plugin, config, 'source');
  try {
    await checked.source.check?.(checked.config, { fileRoots: ctx.config.BATCHLINE_FILE_ROOTS, log: ctx.log });
  } catch (error) {
    if (error instanceof SourceConfigError) throw invalidField(`source.config.${error.field}`, error.message);
    throw error;
  }
  return {
    stored: { ...sealConfig(checked.source, checked.config, ctx.secretKey), connection: ref.connection ?? null, ...(ownCredentials.length > 0 ? { own_credentials: ownCredentials } : {}) },
    follows: checked.source.follow?.(checked.config) !== undefined,
  };
}

/** The stored sinks; each sink's prepare() sees the job's task (a mapping must name fields its output has). */
export async function resolveSinkRefs(ctx: Deps, refs: readonly PluginRef[], task: ResolvedTask): Promise<StoredSink[]> {
  const stored: StoredSink[] = [];
  for (const [i, ref] of refs.entries()) {
    const { plugin, config, ownCredentials } = await pluginAndConfig(ctx, ref, 'sink', `sinks.${i}`);
    const { sink, config: parsed } = checkSinkConfig(ctx.sinks, plugin, config, `sinks.${i}`);
    let prepared = parsed;
    try {
      prepared = sink.prepare ? sink.prepare(parsed, { task: { name: task.name, builtin: task.builtin, output_schema: task.output_schema } }) : parsed;
    } catch (error) {
      if (error instanceof SinkConfigError) throw invalidField(`sinks.${i}.config.${error.field}`, error.message);
      throw error;
    }
    stored.push({
      ...sealConfig(sink, prepared, ctx.secretKey),
      ...(ref.connection !== undefined ? { connection: ref.connection } : {}),
      ...(ownCredentials.length > 0 ? { own_credentials: ownCredentials } : {}),
    });
  }
  return stored;
}

async function pluginAndConfig(ctx: Deps, ref: PluginRef, kind: 'source' | 'sink', field: string): Promise<{ plugin: string; config: unknown; ownCredentials: string[] }> {
  if (ref.connection !== undefined) {
    if (ref.plugin !== undefined) throw invalidField(`${field}.plugin`, 'give either "plugin" or "connection", not both');
    return resolveConnection({ db: ctx.db, plugins: { sources: ctx.sources, sinks: ctx.sinks }, secretKey: ctx.secretKey }, ref.connection, kind, ref.config, field);
  }
  if (!ref.plugin) throw invalidField(`${field}.plugin`, 'is required (or name a "connection")');
  return { plugin: ref.plugin, config: ref.config, ownCredentials: [] };
}
