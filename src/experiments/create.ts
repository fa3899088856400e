// POST /v1/experiments: checks everything first (task, arms, compare options, labels, the source read and
// its sample), so bad input stores and sends nothing; then writes the experiment and one ordinary job per
// arm on the same sampled documents, in one transaction. Each arm job uses the result cache, so promote
// reuses its answers; each holds its share of the experiment's budget.
import { createHash, randomBytes } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { DB } from '../db/types.ts';
import { AppError, invalidField } from '../errors.ts';
import { FALLBACK_TOKENS_PER_BYTE, worstCaseUsd } from '../engine/money/budget.ts';
import type { EngineContext } from '../engine/context.ts';
import type { StoredDocument } from '../engine/documents/document.ts';
import { createJob } from '../engine/intake/ingest.ts';
import { itemRowBuilder, requestLimitOf } from '../engine/intake/item-rows.ts';
import { resolveSourceRef, type StoredSource } from '../engine/intake/source-ref.ts';
import { sealConfig } from '../plugins/stored-config.ts';
import { correctionsOfTask } from '../insights/corrections.ts';
import { resolveTask } from '../tasks/registry.ts';
import { inSpan, traceparentOf } from '../telemetry/trace.ts';
import { resolveArms, type ResolvedArm } from './arms.ts';
import { fieldsOf, type FieldSpec } from './fields.ts';
import { metadataLabels, parseLabels, type ParsedLabels } from './labels.ts';
import { MAX_SAMPLE, readSample } from './read-sample.ts';
import type { CompareInput, CreateExperimentInput, StoredCompare, StoredLabels, StoredSourceRef } from './types.ts';

type Deps = Pick<EngineContext, 'db' | 'config' | 'sinks' | 'sources' | 'wake' | 'tag' | 'secretKey' | 'log'>;

export interface CreatedExperiment {
  id: string;
  /** False when an Idempotency-Key replay returned an experiment created earlier. */
  created: boolean;
}

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

export function newExperimentId(): string {
  let out = '';
  for (const b of randomBytes(16)) out += ALPHABET[b % 36];
  return `exp_${out}`;
}

/** A replay (same key, same body) answers the experiment created first; the same key with another body is a 409. */
async function findByKey(ctx: Pick<Deps, 'db'>, key: string, requestHash: string): Promise<string | undefined> {
  const row = await ctx.db.selectFrom('experiments').select(['id', 'request_hash']).where('idempotency_key', '=', key).executeTakeFirst();
  if (!row) return undefined;
  if (row.request_hash !== requestHash) throw new AppError('conflict', 'this Idempotency-Key was already used with a different request body');
  return row.id;
}

function checkCompare(input: CompareInput | undefined, fields: readonly FieldSpec[]): StoredCompare {
  const tolerance = input?.tolerance ?? {};
  for (const [name, value] of Object.entries(tolerance)) {
    const field = fields.find((f) => f.path === name);
    if (!field || field.kind !== 'number') throw invalidField(`compare.tolerance.${name}`, `"${name}" is not a number field of the task's answer; numbers: ${fields.filter((f) => f.kind === 'number').map((f) => f.path).join(', ') || 'none'}`);
    if (!(value >= 0)) throw invalidField(`compare.tolerance.${name}`, 'must be 0 or more');
  }
  const exact = input?.exact ?? [];
  exact.forEach((name, i) => {
    const field = fields.find((f) => f.path === name);
    if (!field || (field.kind !== 'text' && field.kind !== 'text_list' && field.kind !== 'exact' && field.kind !== 'set')) {
      throw invalidField(`compare.exact.${i}`, `"${name}" is not a string field of the task's answer`);
    }
  });
  return { tolerance, exact, order: fields.map((f) => f.path) };
}

/** Each arm's share of the budget, in proportion to what its sample may cost at worst; together at most max_usd. */
function budgetShares(ctx: Pick<Deps, 'config'>, arms: readonly ResolvedArm[], documents: readonly StoredDocument[], maxUsd: number): number[] {
  const limit = requestLimitOf(ctx.config.BATCH_MAX_BYTES);
  const worst = arms.map((arm) => {
    const rowOf = itemRowBuilder(arm.task, limit);
    return documents.reduce((sum, doc) => sum + worstCaseUsd(arm.task, rowOf(doc).request_bytes, FALLBACK_TOKENS_PER_BYTE), 0);
  });
  const total = worst.reduce((a, b) => a + b, 0);
  // Rounded down to the micro-dollar (numeric(14,6)), so the shares never add up to more than max_usd.
  return worst.map((w) => Math.floor((total > 0 ? (maxUsd * w) / total : maxUsd / arms.length) * 1e6) / 1e6);
}

function sourceRefOf(ctx: Pick<Deps, 'sources' | 'secretKey'>, input: CreateExperimentInput, stored: StoredSource): StoredSourceRef {
  const plugin = ctx.sources.get(stored.plugin);
  if (!plugin) throw new Error(`source plugin "${stored.plugin}" is not loaded`);
  // A connection is named again (its config and cursor may have moved on by promote time); a plugin keeps its config, secrets sealed.
  if (stored.connection) {
    const overrides = sealConfig(plugin, input.source?.config ?? {}, ctx.secretKey);
    return { plugin: stored.plugin, connection: stored.connection, config: overrides.config, secrets: overrides.secrets };
  }
  return { plugin: stored.plugin, connection: null, config: stored.config, secrets: stored.secrets };
}

export async function createExperiment(ctx: Deps, input: CreateExperimentInput, idempotencyKey?: string, signal?: AbortSignal): Promise<CreatedExperiment> {
  const requestHash = createHash('sha256').update(JSON.stringify(input)).digest('hex');
  if (idempotencyKey) {
    const replay = await findByKey(ctx, idempotencyKey, requestHash);
    if (replay) return { id: replay, created: false };
  }

  // 1. What the request names, without reading anything.
  const base = resolveTask(input.task);
  if (input.source !== undefined && input.documents !== undefined) throw invalidField('source', 'give either "documents" or "source", not both');
  if (input.source === undefined && (input.documents?.length ?? 0) === 0) throw invalidField('documents', 'give "documents" (at least one) or "source"');
  if (!Number.isInteger(input.sample.size) || input.sample.size < 1 || input.sample.size > MAX_SAMPLE) throw invalidField('sample.size', `must be a whole number from 1 to ${MAX_SAMPLE}`);
  const arms = resolveArms(input.task, base, input.arms);
  const fields = fieldsOf(base.output_schema, { tolerance: input.compare?.tolerance ?? {}, exact: input.compare?.exact ?? [] });
  const compare = checkCompare(input.compare, fields);
  const documents = input.documents ?? [];
  const seen = new Map<string, number>();
  documents.forEach((doc, i) => {
    const first = seen.get(doc.id);
    if (first !== undefined) throw invalidField(`documents.${i}.id`, `duplicate id "${doc.id}" (also documents.${first}.id)`);
    seen.set(doc.id, i);
  });
  const resolved = input.source !== undefined ? await resolveSourceRef(ctx, input.source) : null;
  if (resolved?.follows) throw invalidField('source', 'an experiment samples a source it can read to the end; a watched folder or a webhook stream never ends');
  const labels: ParsedLabels | null = input.labels ? await parseLabels(input.labels, fields, ctx.config.BATCHLINE_FILE_ROOTS, (jobs) => correctionsOfTask(ctx.db, base.name, jobs)) : null;

  // 2. The source, read once: the sample and the checks that need the whole of it.
  const seed = input.sample.seed === undefined ? randomBytes(6).toString('hex') : String(input.sample.seed);
  const read = await readSample(
    ctx,
    { source: resolved?.stored ?? null, documents },
    { ...input.sample, seed },
    // Corrections come from earlier jobs, which may have read more than this source holds: those label nothing.
    { ids: new Set(labels && labels.kind !== 'corrections' ? labels.byId.keys() : []), field: input.labels?.values ? 'labels.values' : 'labels.path' },
    signal,
  );
  const storedLabels: StoredLabels | null = labels ? labelsOfSample(labels, fields, read.documents) : null;
  const shares = input.max_usd !== undefined ? budgetShares(ctx, arms, read.documents, input.max_usd) : null;
  const source = resolved ? sourceRefOf(ctx, input, resolved.stored) : null;

  // 3. The experiment and its arms' jobs, all or nothing.
  const id = newExperimentId();
  const written = await inSpan('experiment.create', { root: true, attributes: { 'batchline.experiment.id': id, 'batchline.arms': arms.length, 'batchline.sample.size': read.sample.size } }, (span) =>
    ctx.db.transaction().execute(async (trx) => {
      const inserted = await trx
        .insertInto('experiments')
        .values({
          id,
          name: input.name ?? null,
          task: JSON.stringify(base),
          source: source ? JSON.stringify(source) : null,
          documents: source ? null : JSON.stringify(documents),
          population: JSON.stringify(read.population),
          sample: JSON.stringify(read.sample),
          labels: storedLabels ? JSON.stringify(storedLabels) : null,
          compare: JSON.stringify(compare),
          max_usd: input.max_usd ?? null,
          idempotency_key: idempotencyKey ?? null,
          request_hash: requestHash,
          trace_context: traceparentOf(span),
        })
        .onConflict((oc) => oc.column('idempotency_key').doNothing())
        .returning('id')
        .executeTakeFirst();
      if (!inserted) return false; // a concurrent request with the same key won
      await writeArms(ctx, trx, { id, name: input.name, arms, documents: read.documents, shares });
      return true;
    }),
  );
  if (!written) {
    const replay = await findByKey(ctx, idempotencyKey ?? '', requestHash);
    if (!replay) throw new AppError('conflict', 'an experiment with this Idempotency-Key is being created; retry');
    return { id: replay, created: false };
  }
  ctx.wake();
  return { id, created: true };
}

async function writeArms(
  ctx: Deps,
  trx: Transaction<DB>,
  rows: { id: string; name: string | undefined; arms: readonly ResolvedArm[]; documents: StoredDocument[]; shares: number[] | null },
): Promise<void> {
  for (const [position, arm] of rows.arms.entries()) {
    const share = rows.shares?.[position];
    const { job } = await createJob(
      ctx,
      {
        name: `${rows.name ?? rows.id} · ${arm.name}`,
        ...arm.request,
        documents: rows.documents,
        // Arms store their answers in the result cache: promote reuses them instead of paying again.
        cache: 'on',
        ...(share !== undefined ? { max_usd: Math.max(share, 0.000001) } : {}),
      },
      undefined,
      // The comparison shows each sampled document's text beside the arms' answers: kept until retention.
      { trx, keepText: true },
    );
    await trx
      .insertInto('experiment_arms')
      .values({ experiment_id: rows.id, position, name: arm.name, spec: JSON.stringify(arm.spec), job_request: JSON.stringify(arm.request), job_id: job.id })
      .execute();
  }
}

/** The labels of the sampled documents only (the rest of a labels file is not needed again). */
function labelsOfSample(labels: ParsedLabels, fields: readonly FieldSpec[], documents: ReadonlyArray<{ id: string; metadata?: Record<string, unknown> }>): StoredLabels {
  const values: Record<string, Record<string, unknown>> = {};
  for (const doc of documents) {
    const expected = labels.kind === 'metadata' ? metadataLabels(labels, fields, doc.id, doc.metadata) : (labels.byId.get(doc.id) ?? {});
    if (Object.keys(expected).length > 0) values[doc.id] = expected;
  }
  return { kind: labels.kind, fields: labels.fields, values };
}
