// Sample strings and numbers for JSON Schema: formats, patterns, length and numeric bounds.
import { sampleFromPattern } from './pattern-sample.ts';

export type JsonSchemaObject = Record<string, unknown>;

const WORDS = [
  'alpha', 'bravo', 'cedar', 'delta', 'ember', 'fjord', 'grove', 'harbor', 'indigo', 'juniper',
  'kestrel', 'lumen', 'meadow', 'nimbus', 'orchid', 'pebble', 'quartz', 'river', 'summit', 'tundra',
];

function pick<T>(items: readonly T[], random: () => number): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}

function intIn(min: number, max: number, random: () => number): number {
  return min + Math.floor(random() * (max - min + 1));
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

function finiteInt(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? Math.floor(value) : undefined;
}

function sampleFormat(format: string, random: () => number): string | null {
  const n = intIn(1, 9999, random);
  const date = `${intIn(2000, 2029, random)}-${pad(intIn(1, 12, random), 2)}-${pad(intIn(1, 28, random), 2)}`;
  const time = `${pad(intIn(0, 23, random), 2)}:${pad(intIn(0, 59, random), 2)}:${pad(intIn(0, 59, random), 2)}`;
  switch (format) {
    case 'date':
      return date;
    case 'date-time':
      return `${date}T${time}Z`;
    case 'time':
      return time;
    case 'email':
    case 'idn-email':
      return `${pick(WORDS, random)}${n}@example.com`;
    case 'uri':
    case 'url':
    case 'iri':
    case 'uri-reference':
    case 'iri-reference':
      return `https://example.com/${pick(WORDS, random)}/${n}`;
    case 'hostname':
    case 'idn-hostname':
      return `${pick(WORDS, random)}${n}.example.com`;
    case 'ipv4':
      return `192.0.2.${n % 255}`;
    case 'ipv6':
      return `2001:db8::${n.toString(16)}`;
    case 'uuid':
      return sampleUuid(random);
    case 'duration':
      return `P${intIn(1, 30, random)}D`;
    default:
      return null;
  }
}

// A version-4, variant-1 UUID, which satisfies both format checks and zod's uuid pattern.
function sampleUuid(random: () => number): string {
  const hex = (count: number): string =>
    Array.from({ length: count }, () => Math.floor(random() * 16).toString(16)).join('');
  return `${hex(8)}-${hex(4)}-4${hex(3)}-${pick(['8', '9', 'a', 'b'], random)}${hex(3)}-${hex(12)}`;
}

export function sampleString(schema: JsonSchemaObject, random: () => number): string {
  const minLength = finiteInt(schema.minLength) ?? 0;
  const maxLength = finiteInt(schema.maxLength) ?? Number.POSITIVE_INFINITY;
  const pattern = typeof schema.pattern === 'string' ? schema.pattern : null;
  const fits = (text: string): boolean =>
    text.length >= minLength && text.length <= maxLength && matches(pattern, text);

  const formatted = typeof schema.format === 'string' ? sampleFormat(schema.format, random) : null;
  if (formatted !== null && fits(formatted)) return formatted;
  if (pattern !== null) {
    let fallback: string | null = null;
    for (let attempt = 0; attempt < 8; attempt++) {
      const text = sampleFromPattern(pattern, random);
      if (text === null) break;
      if (fits(text)) return text;
      fallback ??= text;
    }
    if (fallback !== null) return fallback;
  }
  if (formatted !== null) return formatted;
  let text = `${pick(WORDS, random)} ${pick(WORDS, random)}`;
  while (text.length < minLength) text += ` ${pick(WORDS, random)}`;
  return text.slice(0, maxLength);
}

function matches(pattern: string | null, text: string): boolean {
  if (pattern === null) return true;
  try {
    return new RegExp(pattern).test(text);
  } catch {
    // A pattern JavaScript cannot compile cannot be honoured; do not let it block an answer.
    return true;
  }
}

interface Bound {
  value: number;
  open: boolean;
}

function lowerBound(schema: JsonSchemaObject): Bound {
  let bound: Bound = { value: Number.NEGATIVE_INFINITY, open: false };
  if (typeof schema.minimum === 'number') bound = { value: schema.minimum, open: schema.exclusiveMinimum === true };
  if (typeof schema.exclusiveMinimum === 'number' && schema.exclusiveMinimum >= bound.value) {
    bound = { value: schema.exclusiveMinimum, open: true };
  }
  return bound;
}

function upperBound(schema: JsonSchemaObject): Bound {
  let bound: Bound = { value: Number.POSITIVE_INFINITY, open: false };
  if (typeof schema.maximum === 'number') bound = { value: schema.maximum, open: schema.exclusiveMaximum === true };
  if (typeof schema.exclusiveMaximum === 'number' && schema.exclusiveMaximum <= bound.value) {
    bound = { value: schema.exclusiveMaximum, open: true };
  }
  return bound;
}

// Keeps samples small and readable: a window of at most 100 inside the allowed range, near 0 when possible.
function samplingWindow(lo: number, hi: number): [number, number] {
  if (lo > hi) return [lo, lo];
  const finiteLo = Number.isFinite(lo);
  const finiteHi = Number.isFinite(hi);
  if (!finiteLo && !finiteHi) return [0, 100];
  if (!finiteHi) return [lo, lo + 100];
  if (!finiteLo) return [hi - 100, hi];
  if (hi - lo <= 1000) return [lo, hi];
  const start = Math.min(Math.max(0, lo), hi - 100);
  return [start, start + 100];
}

export function sampleNumber(schema: JsonSchemaObject, integer: boolean, random: () => number): number {
  const lower = lowerBound(schema);
  const upper = upperBound(schema);
  if (integer) {
    const lo = lower.open ? Math.floor(lower.value) + 1 : Math.ceil(lower.value);
    const hi = upper.open ? Math.ceil(upper.value) - 1 : Math.floor(upper.value);
    const [a, b] = samplingWindow(lo, hi);
    const multiple = sampleMultiple(schema.multipleOf, a, b, random, (value) => value >= lo && value <= hi);
    return multiple !== null && Number.isInteger(multiple) ? multiple : intIn(a, b, random);
  }
  const inside = (value: number): boolean =>
    (lower.open ? value > lower.value : value >= lower.value) &&
    (upper.open ? value < upper.value : value <= upper.value);
  const [a, b] = samplingWindow(lower.value, upper.value);
  const multiple = sampleMultiple(schema.multipleOf, a, b, random, inside);
  if (multiple !== null) return multiple;
  const raw = a + random() * (b - a);
  const rounded = Math.round(raw * 100) / 100;
  if (inside(rounded)) return rounded;
  if (inside(raw)) return raw;
  return (a + b) / 2;
}

// A multiple of `step` inside [a, b], or null when there is none (then multipleOf is not honoured).
function sampleMultiple(
  step: unknown,
  a: number,
  b: number,
  random: () => number,
  inside: (value: number) => boolean,
): number | null {
  if (typeof step !== 'number' || !(step > 0)) return null;
  const kLo = Math.ceil(a / step);
  const kHi = Math.floor(b / step);
  for (let attempt = 0; attempt < 4 && kLo <= kHi; attempt++) {
    // toPrecision trims float noise such as 0.30000000000000004 from 3 * 0.1.
    const value = Number((intIn(kLo, kHi, random) * step).toPrecision(12));
    if (inside(value)) return value;
  }
  return null;
}
