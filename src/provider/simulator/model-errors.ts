// Per-model error rates: a settable share of each answer field that a model gets wrong, so two models
// disagree on a measurable fraction of documents and accuracy against gold labels is a known number.
// Each field of each request draws on its own, from a hash of (model, field, params): the same request
// always gets the same answer, and different prompts or models err on different documents.
import { z } from 'zod';
import { hash32, unitFromText } from './hash.ts';

/** Model name (or `*` for any other model) → share of answer fields it gets wrong, 0..1. */
export type ModelErrorRates = Record<string, number>;

const ratesSchema = z.record(z.string().min(1, 'a model name is required'), z.number().min(0).max(1));

export type RatesParse = { ok: true; rates: ModelErrorRates } | { ok: false; message: string };

export function parseModelErrorRates(input: unknown): RatesParse {
  const parsed = ratesSchema.safeParse(input);
  if (parsed.success) return { ok: true, rates: parsed.data };
  const issue = parsed.error.issues[0];
  return { ok: false, message: issue ? `${issue.path.join('.') || 'rates'}: ${issue.message}` : 'invalid error rates' };
}

export function errorRateFor(rates: ModelErrorRates | undefined, model: string): number {
  if (!rates) return 0;
  return rates[model] ?? rates['*'] ?? 0;
}

type Schema = Record<string, unknown>;

function isRecord(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The non-null branch of `anyOf: [X, {type: null}]` (zod's nullable), or the schema itself. */
function nonNull(schema: Schema): Schema {
  const branches = Array.isArray(schema.anyOf) ? schema.anyOf.filter(isRecord) : [];
  return branches.find((b) => b.type !== 'null') ?? schema;
}

/** A wrong value for one field that still passes its schema; undefined when there is no such value to make. */
function wrongValue(value: unknown, schema: Schema, pick: number): unknown {
  const s = nonNull(schema);
  if (Array.isArray(s.enum)) {
    const others = s.enum.filter((v) => v !== value);
    return others.length > 0 ? others[pick % others.length] : undefined;
  }
  if (typeof value === 'boolean') return !value;
  if (typeof value === 'number') {
    if (s.type === 'integer') {
      const min = typeof s.minimum === 'number' ? s.minimum : -Infinity;
      const max = typeof s.maximum === 'number' ? s.maximum : Infinity;
      const step = pick % 2 === 0 ? 1 : -1;
      const moved = value + step <= max && value + step >= min ? value + step : value - step;
      return moved >= min && moved <= max ? moved : undefined;
    }
    return Math.round(value * (pick % 2 === 0 ? 1.1 : 0.9) * 100) / 100 || 1;
  }
  if (Array.isArray(value)) {
    if (value.length > 0) return value.slice(0, -1);
    const item = isRecord(s.items) ? s.items : {};
    return item.type === 'string' && item.pattern === undefined ? ['general impression'] : undefined;
  }
  // An identifier (no spaces, with a digit) gets one digit wrong; free text, dates and codes stay as they are.
  if (typeof value === 'string' && s.pattern === undefined && s.format === undefined && !/\s/.test(value) && /\d/.test(value)) {
    return value.replace(/(\d)(?!.*\d)/, (d) => String((Number(d) + 1 + (pick % 8)) % 10));
  }
  return undefined;
}

/**
 * The answer with each top-level field wrong with probability `rate` (drawn per model, field and request).
 * Answers stay valid against the task's schema: an error is a wrong value, never a broken one.
 */
export function withModelErrors(answer: Record<string, unknown>, schema: Schema, rate: number, key: { model: string; paramsHash: string }): Record<string, unknown> {
  if (rate <= 0) return answer;
  const properties = isRecord(schema.properties) ? schema.properties : {};
  const out: Record<string, unknown> = { ...answer };
  for (const [field, value] of Object.entries(answer)) {
    const fieldSchema = properties[field];
    if (!isRecord(fieldSchema)) continue;
    if (unitFromText(`${key.model}\0${field}\0${key.paramsHash}`) >= rate) continue;
    const wrong = wrongValue(value, fieldSchema, hash32(`wrong\0${field}\0${key.paramsHash}`));
    if (wrong !== undefined) out[field] = wrong;
  }
  return out;
}
