// Corrections: a person's right value for one or more fields of an item's answer. Each value is checked
// against the field's own JSON Schema, stored beside what the model answered and who gave it, and kept
// with the job (deleted with it, purged by its retention). Listed per item, exported as a labels file in
// the JSONL shape experiments read, and read back as gold labels by an experiment on the same task.
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/types.ts';
import { AppError, invalidField } from '../errors.ts';
import { canonical, valueAt } from '../tasks/answer-schema.ts';
import type { InsightField } from './fields.ts';
import { jobFields } from './job-insights.ts';
import { pathArray } from './filters.ts';
import { schemaValidator } from '../tasks/registry.ts';

export interface CorrectionInput {
  fields: Record<string, unknown>;
  author?: string | undefined;
  note?: string | undefined;
}

export interface FieldCorrection {
  value: unknown;
  model_value: unknown;
  corrected_by: string;
  author: string | null;
  note: string | null;
  updated_at: string;
}

export interface ItemCorrections {
  job_id: string;
  item_id: string;
  external_id: string;
  fields: Record<string, FieldCorrection>;
}

/** The value checked against the field's schema; a 422 naming `fields.PATH` when it does not fit. */
export function checkCorrection(field: InsightField, value: unknown): void {
  const parsed = schemaValidator(field.schema).safeParse(value);
  if (parsed.success) return;
  const allowed = field.values ? `; one of ${field.values.map((v) => JSON.stringify(v)).join(', ')}` : '';
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
  throw invalidField(`fields.${field.path}`, `${JSON.stringify(value)} is not a valid ${field.path}${allowed} (${issue?.message ?? 'invalid'}${where})`);
}

interface AnsweredItem {
  id: number;
  status: string;
  output: unknown;
}

/**
 * Stores the corrections of one item's answer, replacing earlier ones of the same fields. Every field is
 * checked before anything is written; a value equal to the model's answer is refused (it corrects nothing).
 */
export async function correctItem(db: Kysely<DB>, jobId: string, externalId: string, input: CorrectionInput, actor: string): Promise<ItemCorrections> {
  const job = await db.selectFrom('jobs').select(['id', 'task', 'status', 'purged_at']).where('id', '=', jobId).executeTakeFirst();
  if (!job || job.status === 'deleting') throw new AppError('not_found', `job ${jobId} does not exist`);
  if (job.purged_at) throw new AppError('conflict', `job ${jobId}'s answers were purged by retention; there is nothing left to correct`);
  const item = await sql<AnsweredItem>`
    SELECT i.id, i.status, r.output FROM items i LEFT JOIN results r ON r.item_id = i.id AND r.attempt = i.attempts
    WHERE i.job_id = ${jobId} AND i.external_id = ${externalId}`.execute(db);
  const found = item.rows[0];
  if (!found) throw new AppError('not_found', `job ${jobId} has no document "${externalId}"`);
  if (found.status !== 'succeeded' || found.output === null) {
    throw new AppError('conflict', `document "${externalId}" has no answer to correct (it is ${found.status})`);
  }
  const fields = jobFields(job);
  const entries = Object.entries(input.fields);
  if (entries.length === 0) throw invalidField('fields', `give at least one field: ${fields.map((f) => f.path).join(', ')}`);
  for (const [path, value] of entries) {
    const field = fields.find((f) => f.path === path);
    if (!field) throw invalidField(`fields.${path}`, `"${path}" is not a field of the task's answer; fields: ${fields.map((f) => f.path).join(', ')}`);
    checkCorrection(field, value);
    if (canonical(valueAt(found.output, path) ?? null) === canonical(value)) {
      throw invalidField(`fields.${path}`, `${JSON.stringify(value)} is what the model answered; a correction gives the right value where the answer is wrong`);
    }
  }
  const itemId = Number(found.id);
  await db.transaction().execute(async (trx) => {
    for (const [path, value] of entries) {
      await sql`
        INSERT INTO corrections (job_id, item_id, field, value, model_value, corrected_by, author, note)
        SELECT ${jobId}, ${itemId}, ${path}, ${JSON.stringify(value)}::jsonb, r.output #> ${pathArray(path)}::text[], ${actor}, ${input.author ?? null}, ${input.note ?? null}
        FROM items i JOIN results r ON r.item_id = i.id AND r.attempt = i.attempts WHERE i.id = ${itemId}
        ON CONFLICT (item_id, field) DO UPDATE SET value = excluded.value, model_value = excluded.model_value,
          corrected_by = excluded.corrected_by, author = excluded.author, note = excluded.note, updated_at = now()`.execute(trx);
    }
  });
  const [corrections] = await correctionsOf(db, jobId, { itemIds: [itemId] });
  if (!corrections) throw new AppError('internal', 'the correction was not stored');
  return corrections;
}

/** Withdraws an item's corrections (all, or of the fields named); returns how many were removed. */
export async function withdrawCorrections(db: Kysely<DB>, jobId: string, externalId: string, fieldPaths: readonly string[]): Promise<number> {
  const item = await db.selectFrom('items').select('id').where('job_id', '=', jobId).where('external_id', '=', externalId).executeTakeFirst();
  if (!item) throw new AppError('not_found', `job ${jobId} has no document "${externalId}"`);
  let query = db.deleteFrom('corrections').where('item_id', '=', item.id);
  if (fieldPaths.length > 0) query = query.where('field', 'in', [...fieldPaths]);
  return Number((await query.executeTakeFirst()).numDeletedRows);
}

interface CorrectionRow {
  item_id: number;
  external_id: string;
  field: string;
  value: unknown;
  model_value: unknown;
  corrected_by: string;
  author: string | null;
  note: string | null;
  updated_at: Date;
}

/** A job's corrections grouped per item, in item order: the items after `after` (a page), or those named. */
export async function correctionsOf(db: Kysely<DB>, jobId: string, options: { after?: number; limit?: number; itemIds?: readonly number[] }): Promise<ItemCorrections[]> {
  const items = options.itemIds
    ? sql`c.item_id = ANY(${[...options.itemIds]}::bigint[])`
    : sql`c.item_id IN (SELECT DISTINCT item_id FROM corrections WHERE job_id = ${jobId} AND item_id > ${options.after ?? 0} ORDER BY item_id LIMIT ${options.limit ?? 100})`;
  const rows = await sql<CorrectionRow>`
    SELECT c.item_id, i.external_id, c.field, c.value, c.model_value, c.corrected_by, c.author, c.note, c.updated_at
    FROM corrections c JOIN items i ON i.id = c.item_id
    WHERE c.job_id = ${jobId} AND ${items}
    ORDER BY c.item_id, c.field`.execute(db);
  const out: ItemCorrections[] = [];
  for (const row of rows.rows) {
    let entry = out[out.length - 1];
    if (!entry || entry.item_id !== String(row.item_id)) {
      entry = { job_id: jobId, item_id: String(row.item_id), external_id: row.external_id, fields: {} };
      out.push(entry);
    }
    entry.fields[row.field] = {
      value: row.value,
      model_value: row.model_value ?? null,
      corrected_by: row.corrected_by,
      author: row.author,
      note: row.note,
      updated_at: new Date(row.updated_at).toISOString(),
    };
  }
  return out;
}

/**
 * The right values the corrections of these jobs give, per document id: a labels set. Where two jobs
 * corrected the same document's field, the later correction counts.
 */
export async function correctionLabels(db: Kysely<DB>, jobIds: readonly string[]): Promise<Map<string, Record<string, unknown>>> {
  const rows = await sql<{ external_id: string; field: string; value: unknown }>`
    SELECT i.external_id, c.field, c.value FROM corrections c JOIN items i ON i.id = c.item_id
    WHERE c.job_id = ANY(${[...jobIds]}::text[]) ORDER BY c.updated_at, c.item_id`.execute(db);
  const byId = new Map<string, Record<string, unknown>>();
  for (const row of rows.rows) {
    const values = byId.get(row.external_id) ?? {};
    values[row.field] = row.value;
    byId.set(row.external_id, values);
  }
  return byId;
}

/**
 * The corrections of earlier jobs of one task as labels, for an experiment: the jobs named (each must exist
 * and run the task), or every job of the task. A 422 naming `labels.corrections.jobs.N` otherwise.
 */
export async function correctionsOfTask(db: Kysely<DB>, taskName: string, jobIds: readonly string[] | undefined): Promise<Map<string, Record<string, unknown>>> {
  if (jobIds === undefined) {
    const jobs = await sql<{ id: string }>`SELECT id FROM jobs WHERE task->>'name' = ${taskName} AND status <> 'deleting'`.execute(db);
    return correctionLabels(db, jobs.rows.map((j) => j.id));
  }
  const found = await db.selectFrom('jobs').select(['id', 'task', 'status']).where('id', 'in', [...jobIds]).execute();
  jobIds.forEach((id, i) => {
    const job = found.find((j) => j.id === id);
    if (!job || job.status === 'deleting') throw invalidField(`labels.corrections.jobs.${i}`, `job ${id} does not exist`);
    const name = (job.task as { name?: string }).name;
    if (name !== taskName) throw invalidField(`labels.corrections.jobs.${i}`, `job ${id} ran the task "${name}", not "${taskName}": its corrections answer another schema`);
  });
  return correctionLabels(db, jobIds);
}
