// Hashing helpers: canonical JSON, the params hash tests can recompute, and a seeded PRNG for reproducible answers.
import { createHash } from 'node:crypto';

// Sorted keys so two params objects that differ only in key order hash the same.
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record)
    .filter((key) => record[key] !== undefined)
    .sort();
  return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`).join(',')}}`;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** sha256 of the canonical JSON of a request's params, hex, first 32 chars. */
export function paramsHash(params: unknown): string {
  return paramsHashOfCanonical(canonicalJson(params));
}

/** paramsHash, from the canonical JSON when it is already at hand. */
export function paramsHashOfCanonical(canonical: string): string {
  return sha256Hex(canonical).slice(0, 32);
}

// FNV-1a, cheap enough to run per request and per result line, plus murmur3's final mix: without it,
// texts that differ only in their last character (id:0, id:1, …) give clustered high bits.
export function hash32(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

/** A number in [0, 1) fixed by the text. */
export function unitFromText(text: string): number {
  return hash32(text) / 0x1_0000_0000;
}

/** A number in [0, 1) from the first 8 hex digits of a hash. */
export function unitFromHex(hex: string): number {
  return Number.parseInt(hex.slice(0, 8), 16) / 0x1_0000_0000;
}

// mulberry32: tiny, fast, and good enough to vary sample answers.
export function createRandom(seed: string): () => number {
  let state = hash32(seed);
  return function next(): number {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 0x1_0000_0000;
  };
}
