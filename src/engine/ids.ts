// Identifiers: job ids, and custom_ids that name one (item, attempt) within this installation.
import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

export function newJobId(): string {
  const bytes = randomBytes(16);
  let out = '';
  for (const b of bytes) out += ALPHABET[b % 36];
  return `job_${out}`;
}

/**
 * `bl<tag>_<item>_<attempt>`: stable for a given submission, unique per installation (the tag is
 * random per database, so two Batchline installs sharing one API workspace never confuse their batches),
 * and within the API's `^[a-zA-Z0-9_-]{1,64}$`.
 */
export function customIdOf(tag: string, itemId: number, attempt: number): string {
  return `bl${tag}_${itemId}_${attempt}`;
}

export interface ParsedCustomId {
  tag: string;
  itemId: number;
  attempt: number;
}

export function parseCustomId(customId: string): ParsedCustomId | undefined {
  const m = /^bl([a-z0-9]+)_(\d+)_(\d+)$/.exec(customId);
  if (!m || m[1] === undefined || m[2] === undefined || m[3] === undefined) return undefined;
  return { tag: m[1], itemId: Number(m[2]), attempt: Number(m[3]) };
}
