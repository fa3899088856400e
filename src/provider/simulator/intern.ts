// Requests of one batch (and of one task across batches) repeat the same tool schema, tool_choice and
// system prompt. The simulator keeps every request it was sent, so those parts are kept once and shared:
// a million held requests then cost their own text, not a million copies of a 2 KB schema.
import { canonicalJson } from './hash.ts';

/** The params fields that are the same for every request of a task. */
const SHARED_FIELDS = ['tools', 'tool_choice', 'system'] as const;
/** Distinct shared values kept; past this the table starts again (memory stays bounded). */
const MAX_ENTRIES = 1000;

export interface InternTable {
  byJson: Map<string, object>;
  /** The canonical JSON of each shared value, so hashing a request does not walk its schema again. */
  canonical: WeakMap<object, string>;
}

export function createInternTable(): InternTable {
  return { byJson: new Map(), canonical: new WeakMap() };
}

/** Replaces the params' shared fields by the one kept copy of each (in place). */
export function internParams(table: InternTable, params: Record<string, unknown>): void {
  for (const field of SHARED_FIELDS) {
    const value = params[field];
    if (value === null || typeof value !== 'object') continue;
    const json = JSON.stringify(value);
    let kept = table.byJson.get(json);
    if (kept === undefined) {
      if (table.byJson.size >= MAX_ENTRIES) table.byJson.clear();
      kept = value;
      table.byJson.set(json, kept);
      table.canonical.set(kept, canonicalJson(kept));
    }
    params[field] = kept;
  }
}

/** canonicalJson(params), with the shared fields' canonical JSON taken from the table. */
export function canonicalParams(table: InternTable, params: Record<string, unknown>): string {
  const keys = Object.keys(params)
    .filter((key) => params[key] !== undefined)
    .sort();
  return `{${keys
    .map((key) => {
      const value = params[key];
      const cached = value !== null && typeof value === 'object' ? table.canonical.get(value) : undefined;
      return `${JSON.stringify(key)}:${cached ?? canonicalJson(value)}`;
    })
    .join(',')}}`;
}
