// Gold labels of an experiment: expected values by document id, given inline, in a labels file (CSV/TSV
// with an id column, JSONL with an id key, or a JSON object id → values), in metadata columns of the
// source itself, or as the corrections people made to earlier jobs of the task. Every label must name a
// scored field of the task's answer and be a valid value of it; a file's cells are read as the field's
// type. Problems are 422s naming the field (and row).
import fs from 'node:fs/promises';
import path from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { AppError, invalidField } from '../errors.ts';
import { OPEN_READ, PathOutsideRootsError, resolveInsideRoots } from '../plugins/paths.ts';
import { schemaValidator } from '../tasks/registry.ts';
import { nonNull } from '../tasks/answer-schema.ts';
import { isScored, type FieldSpec } from './fields.ts';
import type { LabelsInput, StoredLabels } from './types.ts';

/** A labels file is read whole: this keeps a mistaken path (a 2 GB export) from filling memory. */
const MAX_LABELS_FILE_BYTES = 64 * 1024 * 1024;

export interface ParsedLabels {
  kind: StoredLabels['kind'];
  fields: string[];
  /** id → expected values; empty for metadata labels (they are read from each sampled document). */
  byId: Map<string, Record<string, unknown>>;
  /** Where each id came from, for messages: `labels.values.r7`, `labels.path: line 12`. */
  whereOf(id: string): string;
  /** Metadata labels: output field → metadata key. */
  metadata: Record<string, string>;
}

/** A value from a file cell or metadata text, read as the field's type; undefined for an empty cell (no label). */
export function coerceCell(field: FieldSpec, raw: unknown): unknown {
  if (typeof raw !== 'string') return raw;
  const text = raw.trim();
  if (text === '') return undefined;
  if (text === 'null') return null;
  const s = nonNull(field.schema);
  if (s.type === 'number' || s.type === 'integer') return Number(text);
  if (s.type === 'boolean') return /^(true|yes|1)$/i.test(text) ? true : /^(false|no|0)$/i.test(text) ? false : text;
  if (s.type === 'array') {
    if (text.startsWith('[')) {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        return text;
      }
    }
    return text.split(/\s*[;|]\s*/).filter(Boolean);
  }
  return text;
}

/** The message when `value` is not a valid `field`, else undefined. */
export function labelProblem(field: FieldSpec, value: unknown): string | undefined {
  const parsed = schemaValidator(field.schema).safeParse(value);
  if (parsed.success) return undefined;
  const allowed = field.values ? `; one of ${field.values.map((v) => JSON.stringify(v)).join(', ')}` : '';
  return `${JSON.stringify(value)} is not a valid ${field.path}${allowed} (${parsed.error.issues[0]?.message ?? 'invalid'})`;
}

function scoredField(fields: readonly FieldSpec[], name: string, where: string): FieldSpec {
  const field = fields.find((f) => f.path === name);
  const scored = fields.filter(isScored).map((f) => f.path);
  if (!field) throw invalidField(where, `"${name}" is not a field of the task's answer; labels can name ${scored.join(', ')}`);
  if (!isScored(field)) throw invalidField(where, `"${name}" is free text, which is compared only by length and emptiness; labels can name ${scored.join(', ')}`);
  return field;
}

/** Checks one document's labels; returns them with empty cells left out. `at` prefixes messages (a file's line). */
function checkRow(fields: readonly FieldSpec[], row: Record<string, unknown>, fieldOf: (name: string) => string, options: { cells: boolean; at?: string }): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const at = options.at ? `${options.at}: ` : '';
  for (const [name, raw] of Object.entries(row)) {
    let field: FieldSpec;
    try {
      field = scoredField(fields, name, fieldOf(name));
    } catch (error) {
      if (!(error instanceof AppError) || !options.at) throw error;
      throw invalidField(fieldOf(name), `${at}${error.problems[0]?.message ?? error.message}`);
    }
    const value = options.cells ? coerceCell(field, raw) : raw;
    if (value === undefined) continue;
    const problem = labelProblem(field, value);
    if (problem) throw invalidField(fieldOf(name), `${at}${problem}`);
    out[name] = value;
  }
  return out;
}

/** Reads the corrections of earlier jobs as labels (id → values); `jobs` undefined means every job of the task. */
export type CorrectionsReader = (jobs: readonly string[] | undefined) => Promise<Map<string, Record<string, unknown>>>;

export async function parseLabels(input: LabelsInput, fields: readonly FieldSpec[], fileRoots: readonly string[], readCorrections?: CorrectionsReader): Promise<ParsedLabels> {
  const given = (['values', 'path', 'metadata', 'corrections'] as const).filter((k) => input[k] !== undefined);
  if (given.length !== 1) throw invalidField('labels', 'give exactly one of "values" (inline), "path" (a labels file), "metadata" (columns of the source) or "corrections" (of earlier jobs)');
  if (input.id_column !== undefined && input.path === undefined) throw invalidField('labels.id_column', 'applies to a labels file ("path") only');

  if (input.metadata) {
    const entries = Object.entries(input.metadata);
    if (entries.length === 0) throw invalidField('labels.metadata', 'name at least one field: {"sentiment": "<metadata key>"}');
    for (const [name] of entries) scoredField(fields, name, `labels.metadata.${name}`);
    return { kind: 'metadata', fields: entries.map(([name]) => name), byId: new Map(), whereOf: () => 'labels.metadata', metadata: input.metadata };
  }

  const byId = new Map<string, Record<string, unknown>>();
  const where = new Map<string, string>();
  if (input.corrections) {
    if (!readCorrections) throw invalidField('labels.corrections', 'are not available here');
    const scored = new Set(fields.filter(isScored).map((f) => f.path));
    for (const [id, row] of await readCorrections(input.corrections.jobs)) {
      // Free-text corrections are kept with their job but are not scored: only the scored fields label.
      const kept = Object.fromEntries(Object.entries(row).filter(([name]) => scored.has(name)));
      if (Object.keys(kept).length === 0) continue;
      byId.set(id, checkRow(fields, kept, (name) => `labels.corrections: document "${id}" ${name}`, { cells: false }));
      where.set(id, `labels.corrections: document "${id}"`);
    }
    if (byId.size === 0) throw invalidField('labels.corrections', 'those jobs hold no corrections of a scored field (correct answers with PUT /v1/jobs/{id}/items/{external_id}/correction)');
    const named = new Set<string>();
    for (const row of byId.values()) for (const name of Object.keys(row)) named.add(name);
    return { kind: 'corrections', fields: [...named], byId, whereOf: (id) => where.get(id) ?? 'labels.corrections', metadata: {} };
  }
  if (input.values) {
    for (const [id, row] of Object.entries(input.values)) {
      byId.set(id, checkRow(fields, row, (name) => `labels.values.${id}.${name}`, { cells: false }));
      where.set(id, `labels.values.${id}`);
    }
  } else {
    const rows = await readLabelsFile(input.path ?? '', input.id_column ?? 'id', fileRoots);
    for (const { id, values, line } of rows) {
      if (byId.has(id)) throw invalidField('labels.path', `line ${line}: id "${id}" is labelled twice`);
      byId.set(id, checkRow(fields, values, () => 'labels.path', { cells: true, at: `line ${line}` }));
      where.set(id, `labels.path: line ${line}`);
    }
  }
  if (byId.size === 0) throw invalidField(input.values ? 'labels.values' : 'labels.path', 'holds no labels');
  const named = new Set<string>();
  for (const row of byId.values()) for (const name of Object.keys(row)) named.add(name);
  return { kind: input.values ? 'values' : 'file', fields: [...named], byId, whereOf: (id) => where.get(id) ?? 'labels', metadata: {} };
}

interface FileRow {
  id: string;
  values: Record<string, unknown>;
  line: number;
}

async function readLabelsFile(file: string, idColumn: string, roots: readonly string[]): Promise<FileRow[]> {
  let resolved: string;
  try {
    resolved = await resolveInsideRoots(file, roots);
  } catch (error) {
    if (error instanceof PathOutsideRootsError) throw invalidField('labels.path', error.message);
    throw error;
  }
  let text: string;
  try {
    const stat = await fs.stat(resolved);
    if (stat.size > MAX_LABELS_FILE_BYTES) throw invalidField('labels.path', `is ${stat.size} bytes; a labels file may hold at most ${MAX_LABELS_FILE_BYTES}`);
    const handle = await fs.open(resolved, OPEN_READ);
    try {
      text = (await handle.readFile('utf8')).replace(/^\uFEFF/, '');
    } finally {
      await handle.close();
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code) throw invalidField('labels.path', `cannot be read (${(error as NodeJS.ErrnoException).code})`);
    throw error;
  }
  const ext = path.extname(resolved).toLowerCase();
  const rows = ext === '.json' ? jsonRows(text, idColumn) : ext === '.jsonl' || ext === '.ndjson' ? jsonlRows(text, idColumn) : csvRows(text, idColumn, ext === '.tsv' || ext === '.tab' ? '\t' : undefined);
  return rows;
}

function csvRows(text: string, idColumn: string, delimiter: string | undefined): FileRow[] {
  let records: string[][];
  try {
    records = parseCsv(text, { delimiter: delimiter ?? (text.split('\n', 1)[0]?.includes(';') && !text.split('\n', 1)[0]?.includes(',') ? ';' : ','), relax_column_count: false, skip_empty_lines: true, trim: true });
  } catch (error) {
    throw invalidField('labels.path', `is not a CSV file: ${(error as Error).message}`);
  }
  const [header, ...data] = records;
  const idAt = header?.indexOf(idColumn) ?? -1;
  if (!header || idAt < 0) throw invalidField('labels.path', `has no "${idColumn}" column (header: ${(header ?? []).join(', ')}); set labels.id_column`);
  return data.map((cells, i) => {
    const values: Record<string, unknown> = {};
    header.forEach((name, c) => {
      if (c !== idAt && name !== '') values[name] = cells[c] ?? '';
    });
    return { id: cells[idAt] ?? '', values, line: i + 2 };
  });
}

function jsonlRows(text: string, idColumn: string): FileRow[] {
  const rows: FileRow[] = [];
  text.split('\n').forEach((raw, i) => {
    if (raw.trim() === '') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      throw invalidField('labels.path', `line ${i + 1} is not JSON`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw invalidField('labels.path', `line ${i + 1} is not a JSON object`);
    const { [idColumn]: id, ...values } = parsed as Record<string, unknown>;
    if (typeof id !== 'string' && typeof id !== 'number') throw invalidField('labels.path', `line ${i + 1} has no "${idColumn}"`);
    rows.push({ id: String(id), values, line: i + 1 });
  });
  return rows;
}

function jsonRows(text: string, idColumn: string): FileRow[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw invalidField('labels.path', `is not JSON: ${(error as Error).message}`);
  }
  if (Array.isArray(parsed)) return jsonlRows(parsed.map((r) => JSON.stringify(r)).join('\n'), idColumn);
  if (typeof parsed !== 'object' || parsed === null) throw invalidField('labels.path', 'must hold an object of id → expected values, or an array of objects with an id');
  return Object.entries(parsed as Record<string, unknown>).map(([id, values], i) => {
    if (typeof values !== 'object' || values === null || Array.isArray(values)) throw invalidField('labels.path', `the labels of "${id}" must be an object`);
    return { id, values: values as Record<string, unknown>, line: i + 1 };
  });
}

/** Metadata labels of one sampled document, checked; {} when it has none. */
export function metadataLabels(labels: ParsedLabels, fields: readonly FieldSpec[], id: string, metadata: Record<string, unknown> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, key] of Object.entries(labels.metadata)) {
    const field = scoredField(fields, name, `labels.metadata.${name}`);
    const value = coerceCell(field, metadata?.[key]);
    if (value === undefined) continue;
    const problem = labelProblem(field, value);
    if (problem) throw invalidField(`labels.metadata.${name}`, `document "${id}": ${problem}`);
    out[name] = value;
  }
  return out;
}
