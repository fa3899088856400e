// Creates a job from inline documents: validates, measures each request, and writes job + items in one
// transaction, so a job either exists whole or not at all. Idempotency-Key replays return the same job.
import { createHash } from 'node:crypto';
import type { Job } from '../db/types.ts';
import { AppError, invalidField } from '../errors.ts';
import { checkSinkConfig } from '../plugins/registry.ts';
import { sealSinkConfig } from '../plugins/sink-config.ts';
import { resolveTask, type CustomTaskInput } from '../tasks/registry.ts';
import type { EngineContext } from './context.ts';
import type { DocumentInput } from './document.ts';
import { newJobId } from './ids.ts';
import { enqueueDeliveries } from './transitions.ts';
import { BATCH_ENVELOPE_BYTES, buildParams, requestBytes } from './request.ts';

export interface CreateJobInput {
  name?: string | undefined;
  task: string | CustomTaskInput;
  model?: string | undefined;
  max_tokens?: number | undefined;
  documents?: DocumentInput[] | undefined;
  source?: unknown;
  sinks?: Array<{ plugin?: string | undefined; config?: unknown; connection?: string | undefined }> | undefined;
}

export interface CreatedJob {
  job: Job;
  /** False when an Idempotency-Key replay returned a job created earlier. */
  created: boolean;
}

/** The API's per-request ceiling (whole payload) for PDFs and images. */
const MAX_REQUEST_BYTES = 32 * 1024 * 1024;
const INSERT_CHUNK = 1000;

export async function createJob(ctx: Pick<EngineContext, 'db' | 'config' | 'sinks' | 'wake' | 'tag' | 'secretKey'>, input: CreateJobInput, idempotencyKey?: string): Promise<CreatedJob> {
  const requestHash = createHash('sha256').update(JSON.stringify(input)).digest('hex');
  if (idempotencyKey) {
    const replay = await findByKey(ctx, idempotencyKey, requestHash);
    if (replay) return { job: replay, created: false };
  }

  const task = resolveTask(input.task, { model: input.model, max_tokens: input.max_tokens });
  if (input.source !== undefined) {
    throw invalidField('source', 'source plugins are not available yet; send inline "documents"');
  }
  const documents = input.documents ?? [];
  if (documents.length === 0) throw invalidField('documents', 'must contain at least one document');
  const seen = new Map<string, number>();
  documents.forEach((doc, i) => {
    const first = seen.get(doc.id);
    if (first !== undefined) throw invalidField(`documents.${i}.id`, `duplicate id "${doc.id}" (also documents.${first}.id)`);
    seen.set(doc.id, i);
  });
  const sinks = (input.sinks ?? []).map((s, i) => {
    if (s.connection !== undefined) throw invalidField(`sinks.${i}.connection`, 'connections are not available yet; give "plugin" and "config"');
    if (!s.plugin) throw invalidField(`sinks.${i}.plugin`, 'is required');
    const { sink, config } = checkSinkConfig(ctx.sinks, s.plugin, s.config, `sinks.${i}`);
    return sealSinkConfig(sink, config, ctx.secretKey);
  });

  const limit = Math.min(ctx.config.BATCH_MAX_BYTES - BATCH_ENVELOPE_BYTES, MAX_REQUEST_BYTES);
  const id = newJobId();
  const job = await ctx.db.transaction().execute(async (trx) => {
    const inserted = await trx
      .insertInto('jobs')
      .values({
        id,
        name: input.name ?? null,
        status: 'ingesting',
        task: JSON.stringify(task),
        source: null,
        sinks: JSON.stringify(sinks),
        idempotency_key: idempotencyKey ?? null,
        request_hash: requestHash,
      })
      .onConflict((oc) => oc.column('idempotency_key').doNothing())
      .returningAll()
      .executeTakeFirst();
    if (!inserted) return undefined; // a concurrent request with the same key won

    for (let start = 0; start < documents.length; start += INSERT_CHUNK) {
      const rows = documents.slice(start, start + INSERT_CHUNK).map((doc) => {
        const bytes = requestBytes(buildParams(task, doc));
        const tooLarge = bytes > limit;
        return {
          job_id: id,
          external_id: doc.id,
          document: JSON.stringify(doc),
          request_bytes: bytes,
          status: tooLarge ? ('failed' as const) : ('queued' as const),
          last_error: tooLarge ? JSON.stringify({ type: 'request_too_large', message: `the request is ${bytes} bytes; the limit is ${limit}` }) : null,
        };
      });
      await trx.insertInto('items').values(rows).execute();
    }
    const tooLarge = await trx.selectFrom('items').select('id').where('job_id', '=', id).where('status', '=', 'failed').execute();
    await enqueueDeliveries(trx, ctx.tag, id, tooLarge.map((t) => t.id));
    return trx.updateTable('jobs').set({ status: 'running', next_run_at: new Date(), updated_at: new Date() }).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
  });
  if (!job) {
    const replay = await findByKey(ctx, idempotencyKey ?? '', requestHash);
    if (!replay) throw new AppError('conflict', 'a job with this Idempotency-Key is being created; retry');
    return { job: replay, created: false };
  }
  ctx.wake();
  return { job, created: true };
}

async function findByKey(ctx: Pick<EngineContext, 'db'>, key: string, requestHash: string): Promise<Job | undefined> {
  const existing = await ctx.db.selectFrom('jobs').selectAll().where('idempotency_key', '=', key).executeTakeFirst();
  if (!existing) return undefined;
  if (existing.request_hash !== requestHash) {
    throw new AppError('conflict', 'this Idempotency-Key was already used with a different request body');
  }
  return existing;
}
