// Where each field of a review is read from: the explicit `columns` mapping first, then the preset.
// Everything is resolved once per file (a header index, a compiled key path) into small getter
// functions, so reading a row is a few array or property lookups, no name matching per row.
import type { ReviewsConfig } from './config.ts';
import { PRESET_SPECS, type Candidate, type Field } from './presets.ts';

export type Getter<R> = (record: R) => unknown;

/** How to read one document out of a record of type R (a CSV row, or a parsed JSON object). */
export interface Extractor<R> {
  fields: Partial<Record<Field, Getter<R>>>;
  /** `metadata_columns`, as [metadata key, getter]. */
  extras: Array<[string, Getter<R>]>;
  /** How the text column is called, for messages ("column "Review Text""). */
  textLabel: string;
}

/** A mapping that does not fit the file: the config field it concerns and what is wrong. */
export interface MappingProblem {
  field: string;
  message: string;
}

const FIELD_ORDER: readonly Field[] = ['id', 'title', 'rating', 'date', 'version', 'territory', 'author', 'language', 'product', 'text'];

function candidatesOf(config: ReviewsConfig, field: Field): ReadonlyArray<string | Candidate> {
  const explicit = field === 'territory' ? undefined : config.columns?.[field];
  if (explicit !== undefined) return [explicit];
  return config.preset ? (PRESET_SPECS[config.preset].fields[field] ?? []) : [];
}

const nameOf = (c: string | Candidate) => (typeof c === 'string' ? c : c.name);
const normalize = (name: string) => name.trim().toLowerCase();

/** Columns of a CSV/TSV file by header name: exact first, then ignoring case and surrounding spaces. */
export function tabularExtractor(header: readonly string[], config: ReviewsConfig): { extractor: Extractor<string[]>; problems: MappingProblem[] } {
  const byName = new Map<string, number>();
  header.forEach((name, i) => {
    const key = normalize(name);
    if (!byName.has(key)) byName.set(key, i);
  });
  const indexOf = (name: string): number | undefined => {
    const exact = header.indexOf(name);
    return exact >= 0 ? exact : byName.get(normalize(name));
  };
  // Errors name the column looked for, never the header found: it is the file's content, and the file may
  // be one nobody meant to show (issue #29).
  const found = `${header.length} column${header.length === 1 ? '' : 's'}; names match exactly, else ignoring case and surrounding spaces`;
  const problems: MappingProblem[] = [];
  const fields: Partial<Record<Field, Getter<string[]>>> = {};
  const used = new Set<number>();
  let textLabel = '';

  const sources = new Map<Field, Array<{ index: number; derive?: Candidate['derive'] }>>();
  for (const field of FIELD_ORDER) {
    const present: Array<{ index: number; derive?: Candidate['derive'] }> = [];
    for (const candidate of candidatesOf(config, field)) {
      const index = indexOf(nameOf(candidate));
      if (index !== undefined) present.push({ index, derive: typeof candidate === 'string' ? undefined : candidate.derive });
    }
    const explicit = field === 'territory' ? undefined : config.columns?.[field];
    if (explicit !== undefined && present.length === 0) {
      problems.push({ field: `columns.${field}`, message: `column "${explicit}" is not in the file's header (${found})` });
    }
    for (const p of present) used.add(p.index);
    sources.set(field, present);
  }

  // Third-party App Store CSVs: fill what is still missing from headers containing the field's words.
  const fuzzy = config.preset ? PRESET_SPECS[config.preset].fuzzy : undefined;
  if (fuzzy) {
    const words = header.map((h) => new Set(h.toLowerCase().split(/[^a-z0-9]+/).filter(Boolean)));
    for (const field of FIELD_ORDER) {
      if ((sources.get(field)?.length ?? 0) > 0) continue;
      for (const word of fuzzy[field] ?? []) {
        const index = words.findIndex((w, i) => !used.has(i) && w.has(word) && (field === 'id' || !w.has('id')));
        if (index >= 0) {
          used.add(index);
          sources.set(field, [{ index }]);
          break;
        }
      }
    }
  }

  for (const [field, present] of sources) {
    if (present.length > 0) fields[field] = cellGetter(present);
  }
  const textSource = sources.get('text')?.[0];
  if (textSource === undefined) {
    if (config.columns?.text === undefined) {
      const expected = candidatesOf(config, 'text')
        .map(nameOf)
        .filter((name) => !name.includes('.'))
        .map((name) => `"${name}"`)
        .join(' or ');
      problems.push({ field: 'columns.text', message: `no review text column: the ${config.preset ?? ''} preset expects ${expected || 'a text column'}, the header has none of them (${found}); set columns.text` });
    }
  } else {
    textLabel = `column "${header[textSource.index] ?? ''}"`;
  }

  const extras: Array<[string, Getter<string[]>]> = [];
  (config.metadata_columns ?? []).forEach((name, i) => {
    const index = indexOf(name);
    if (index === undefined) problems.push({ field: `metadata_columns.${i}`, message: `column "${name}" is not in the file's header (${found})` });
    else extras.push([name, (r) => r[index]]);
  });
  return { extractor: { fields, extras, textLabel }, problems };
}

function cellGetter(present: ReadonlyArray<{ index: number; derive?: Candidate['derive'] }>): Getter<string[]> {
  const [only, ...rest] = present;
  if (only !== undefined && rest.length === 0) {
    const { index, derive } = only;
    return derive ? (r) => derive(r[index]) : (r) => r[index];
  }
  return (r) => {
    for (const { index, derive } of present) {
      const v = derive ? derive(r[index]) : r[index];
      if (v !== undefined && v !== '') return v;
    }
    return undefined;
  };
}

export type JsonRecord = Record<string, unknown>;

/** Keys of JSON objects: a key as written, else a dotted path into nested objects and arrays. */
export function jsonExtractor(config: ReviewsConfig): Extractor<JsonRecord> {
  const fields: Partial<Record<Field, Getter<JsonRecord>>> = {};
  for (const field of FIELD_ORDER) {
    const getters = candidatesOf(config, field).map((c) => {
      const get = keyGetter(nameOf(c));
      const derive = typeof c === 'string' ? undefined : c.derive;
      return derive ? (r: JsonRecord) => derive(get(r)) : get;
    });
    if (getters.length === 1 && getters[0]) fields[field] = getters[0];
    else if (getters.length > 1) {
      fields[field] = (r) => {
        for (const get of getters) {
          const v = get(r);
          if (v !== undefined && v !== null && v !== '') return v;
        }
        return undefined;
      };
    }
  }
  const text = candidatesOf(config, 'text').map((c) => `"${nameOf(c)}"`);
  return {
    fields,
    extras: (config.metadata_columns ?? []).map((name) => [name, keyGetter(name)]),
    textLabel: text.length === 1 ? `key ${text[0] ?? ''}` : `keys ${text.join(', ')}`,
  };
}

function keyGetter(name: string): Getter<JsonRecord> {
  const parts = name.split('.');
  if (parts.length === 1) return (r) => r[name];
  return (r) => {
    if (name in r) return r[name];
    let v: unknown = r;
    for (const part of parts) {
      if (typeof v !== 'object' || v === null) return undefined;
      v = (v as Record<string, unknown>)[part];
    }
    return v;
  };
}
