// The keys that encrypt connection and sink secrets: BATCHLINE_SECRET_KEY (32 bytes, base64 or hex) seals
// and opens; BATCHLINE_SECRET_KEY_FALLBACKS only open, so the key can be rotated while the service runs
// (docs/operations.md, "Rotating BATCHLINE_SECRET_KEY"). Without a configured key, development gets one
// generated once into the data dir (mode 0600). Replicas must share the same keys.
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '../logger.ts';
import { DATA_DIR_ENTRIES } from '../data-dir.ts';

export interface SecretKeys {
  /** Seals everything written from now on, and is tried first when opening. */
  current: Buffer;
  /** Older (or, during a rollout, newer) keys that open what they sealed; never used to seal. */
  fallbacks: readonly Buffer[];
}

export function parseSecretKey(raw: string): Buffer | undefined {
  const bytes = /^[0-9a-fA-F]{64}$/.test(raw) ? Buffer.from(raw, 'hex') : Buffer.from(raw, 'base64');
  return bytes.length === 32 ? bytes : undefined;
}

/** Space- or comma-separated keys; undefined when one of them is not a key. */
export function parseSecretKeyList(raw: string): Buffer[] | undefined {
  const keys = raw.split(/[\s,]+/).filter(Boolean).map(parseSecretKey);
  return keys.every((k): k is Buffer => k !== undefined) ? keys : undefined;
}

/**
 * A short public name of a key (the first 8 hex digits of its sha256), so operators can tell which key
 * a replica seals with and check that all replicas agree, without the key ever being shown.
 */
export function keyIdOf(key: Buffer): string {
  return createHash('sha256').update('batchline secret key id').update(key).digest('hex').slice(0, 8);
}

export function secretKeysOf(current: Buffer, fallbacks: readonly Buffer[] = []): SecretKeys {
  const seen = new Set([current.toString('hex')]);
  const unique = fallbacks.filter((k) => !seen.has(k.toString('hex')) && seen.add(k.toString('hex')));
  return Object.freeze({ current, fallbacks: Object.freeze(unique) });
}

export function loadSecretKeys(configured: string | undefined, fallbacks: readonly string[], dataDir: string, log: Logger): SecretKeys {
  const older = fallbacks.map((raw) => {
    const key = parseSecretKey(raw);
    if (!key) throw new Error('BATCHLINE_SECRET_KEY_FALLBACKS must hold 32-byte keys, base64 or hex');
    return key;
  });
  const keys = secretKeysOf(loadSecretKey(configured, dataDir, log), older);
  if (keys.fallbacks.length > 0) {
    log.info({ key_id: keyIdOf(keys.current), fallback_key_ids: keys.fallbacks.map(keyIdOf) }, 'secret key fallbacks set: secrets they sealed are still opened; re-seal them (batchline secrets reseal), then remove the fallbacks');
  }
  return keys;
}

export function loadSecretKey(configured: string | undefined, dataDir: string, log: Logger): Buffer {
  if (configured) {
    const key = parseSecretKey(configured);
    if (!key) throw new Error('BATCHLINE_SECRET_KEY must be 32 bytes, base64 or hex');
    return key;
  }
  const file = path.join(dataDir, DATA_DIR_ENTRIES.secretKey);
  try {
    const key = parseSecretKey(fs.readFileSync(file, 'utf8').trim());
    if (key) return key;
  } catch {
    // not there yet
  }
  fs.mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32);
  // Written whole under a name of its own, then linked into place: processes starting together on one
  // data dir never read a key file another one has created but not yet written.
  const draft = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  fs.writeFileSync(draft, key.toString('base64'), { mode: 0o600, flag: 'wx' });
  try {
    fs.linkSync(draft, file);
    log.warn({ file }, 'BATCHLINE_SECRET_KEY is not set: generated a development key in the data dir (set it in production, the same on every replica)');
    return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    // Another process linked its key first: use theirs.
    const existing = parseSecretKey(fs.readFileSync(file, 'utf8').trim());
    if (!existing) throw new Error(`unreadable secret key file ${file}`);
    return existing;
  } finally {
    fs.rmSync(draft, { force: true });
  }
}
