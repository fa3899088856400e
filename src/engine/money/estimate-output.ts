// How long answers will be. Once the same task and model have run, the observed mean says it; before,
// a typical answer of the task's JSON schema (every property filled with an ordinary value) stands in.
// Either way no answer is longer than max_tokens.
import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/types.ts';
import type { ResolvedTask } from '../../tasks/types.ts';

export interface OutputGuess {
  basis: 'observed_mean' | 'schema';
  perItem: number;
  observedResults: number;
}

/** Fewer answers than this say too little about the mean. */
const MIN_OBSERVED = 20;
/** The mean is taken from this many recent answers at most, so the query stays cheap. */
const OBSERVE_AT_MOST = 5000;
/** The tool call around the answer (type, id, name) costs tokens too. */
const TOOL_CALL_OVERHEAD_TOKENS = 25;
const CHARS_PER_TOKEN = 4;

export async function guessOutputTokens(db: Kysely<DB>, task: ResolvedTask, excludeJobId?: string): Promise<OutputGuess> {
  const observed = await observedMean(db, task, excludeJobId);
  if (observed && observed.n >= MIN_OBSERVED) return { basis: 'observed_mean', perItem: Math.min(observed.mean, task.max_tokens), observedResults: observed.n };
  return { basis: 'schema', perItem: schemaOutputTokens(task), observedResults: 0 };
}

/** Mean output tokens of schema-valid answers to the same task (name, model, schema) in recent jobs. */
async function observedMean(db: Kysely<DB>, task: ResolvedTask, excludeJobId: string | undefined): Promise<{ mean: number; n: number } | undefined> {
  const row = await sql<{ mean: number | null; n: number }>`
    SELECT avg(output_tokens)::float8 AS mean, count(*)::int AS n FROM (
      SELECT r.output_tokens FROM results r
      WHERE r.outcome = 'succeeded' AND NOT r.from_cache AND r.job_id IN (
        SELECT id FROM jobs
        WHERE task->>'name' = ${task.name} AND task->>'model' = ${task.model}
          AND task->'output_schema' = ${JSON.stringify(task.output_schema)}::jsonb
          AND id <> ${excludeJobId ?? ''}
        ORDER BY created_at DESC LIMIT 20)
      LIMIT ${OBSERVE_AT_MOST}) recent`.execute(db);
  const r = row.rows[0];
  return r && r.mean !== null ? { mean: Number(r.mean), n: Number(r.n) } : undefined;
}

export function schemaOutputTokens(task: ResolvedTask): number {
  const chars = typicalChars(task.output_schema, 0);
  return Math.min(task.max_tokens, Math.ceil(chars / CHARS_PER_TOKEN) + TOOL_CALL_OVERHEAD_TOKENS);
}

/** Characters of a typical JSON value for a schema: ordinary lengths, three items per open list. */
function typicalChars(schema: unknown, depth: number): number {
  if (!isRecord(schema) || depth > 8) return 8;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) {
    return schema.enum.reduce((a: number, v) => a + JSON.stringify(v).length, 0) / schema.enum.length;
  }
  if ('const' in schema) return JSON.stringify(schema.const)?.length ?? 4;
  for (const key of ['anyOf', 'oneOf'] as const) {
    const options = schema[key];
    if (Array.isArray(options) && options.length > 0) return Math.max(...options.map((o) => typicalChars(o, depth + 1)));
  }
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  switch (type) {
    case 'object': {
      const props = isRecord(schema.properties) ? Object.entries(schema.properties) : [];
      return 2 + props.reduce((a, [key, value]) => a + key.length + 4 + typicalChars(value, depth + 1), 0);
    }
    case 'array': {
      const min = typeof schema.minItems === 'number' ? schema.minItems : 0;
      const max = typeof schema.maxItems === 'number' ? schema.maxItems : Number.POSITIVE_INFINITY;
      const n = Math.min(max, Math.max(min, 3));
      return 2 + n * (typicalChars(schema.items, depth + 1) + 1);
    }
    case 'string': {
      if (typeof schema.format === 'string') return schema.format === 'date' ? 12 : schema.format === 'date-time' ? 26 : 24;
      const max = typeof schema.maxLength === 'number' ? schema.maxLength : Number.POSITIVE_INFINITY;
      const min = typeof schema.minLength === 'number' ? schema.minLength : 0;
      return 2 + Math.min(max, Math.max(min, 40));
    }
    case 'integer':
    case 'number':
      return 3;
    case 'boolean':
      return 5;
    default:
      return 8;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
