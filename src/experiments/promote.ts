// POST /v1/experiments/{id}/promote: the chosen arm becomes a job on the whole source (or every inline
// document), with the arm's exact task, so the sampled documents' requests are the arm's own and the
// result cache answers them: no document is paid for twice. Once per arm: a repeat with the same body
// returns the same job (its idempotency key is the experiment's and the arm's), another body is a 409.
import { AppError, invalidField } from '../errors.ts';
import type { EngineContext } from '../engine/context.ts';
import type { StoredDocument } from '../engine/documents/document.ts';
import { createJob, type CreatedJob } from '../engine/intake/ingest.ts';
import type { PluginRef } from '../engine/intake/source-ref.ts';
import type { PilotConfig } from '../db/types.ts';
import { openConfig } from '../plugins/stored-config.ts';
import type { SecretKeys } from '../secrets/key.ts';
import type { StoredSourceRef } from './types.ts';
import { armRows, loadExperiment } from './view.ts';

type Deps = Pick<EngineContext, 'db' | 'config' | 'sinks' | 'sources' | 'wake' | 'tag' | 'secretKey' | 'log'>;

export interface PromoteInput {
  arm: string;
  name?: string | undefined;
  sinks?: PluginRef[] | undefined;
  max_usd?: number | undefined;
  pilot?: PilotConfig | undefined;
}

const ENDED_WELL = new Set(['completed', 'completed_with_errors']);

function sourceOf(ref: StoredSourceRef, key: SecretKeys): PluginRef {
  const config = openConfig(ref, key);
  if (ref.connection) return { connection: ref.connection, ...(Object.keys(config).length > 0 ? { config } : {}) };
  return { plugin: ref.plugin, config };
}

export async function promoteArm(ctx: Deps, experimentId: string, input: PromoteInput): Promise<CreatedJob> {
  const row = await loadExperiment(ctx.db, experimentId);
  if (!row) throw new AppError('not_found', `experiment ${experimentId} does not exist`);
  const arms = await armRows(ctx.db, experimentId);
  const arm = arms.find((a) => a.name === input.arm);
  if (!arm) throw invalidField('arm', `experiment ${experimentId} has no arm "${input.arm}"; its arms are ${arms.map((a) => a.name).join(', ')}`);
  if (!arm.job) throw new AppError('conflict', `the job of arm ${arm.name} no longer exists; its answers cannot be reused`);
  if (!ENDED_WELL.has(arm.job.status)) {
    throw new AppError('conflict', `arm ${arm.name} is ${arm.job.status}; promote it once it has completed, so its answers are reused instead of paid for again`);
  }
  const source = row.source as StoredSourceRef | null;
  const documents = row.documents as StoredDocument[] | null;
  let created: CreatedJob;
  try {
    created = await createJob(
      ctx,
      {
        name: input.name ?? `${row.name ?? row.id} · ${arm.name} (promoted)`,
        ...arm.job_request,
        ...(source ? { source: sourceOf(source, ctx.secretKey) } : { documents: documents ?? [] }),
        ...(input.sinks ? { sinks: input.sinks } : {}),
        ...(input.max_usd !== undefined ? { max_usd: input.max_usd } : {}),
        ...(input.pilot ? { pilot: input.pilot } : {}),
        cache: 'on',
      },
      `experiment-${experimentId}-promote-${arm.name}`,
    );
  } catch (error) {
    if (error instanceof AppError && error.code === 'conflict' && arm.promoted_job_id) {
      throw new AppError('conflict', `arm ${arm.name} was already promoted to job ${arm.promoted_job_id} with other settings`, { cause: error });
    }
    throw error;
  }
  await ctx.db.updateTable('experiment_arms').set({ promoted_job_id: created.job.id }).where('experiment_id', '=', experimentId).where('name', '=', arm.name).execute();
  return created;
}
