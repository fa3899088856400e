// The key that encrypts connection and sink secrets: BATCHLINE_SECRET_KEY (32 bytes, base64 or hex), or
// for development a key generated once into the data dir (mode 0600). Replicas must share one key.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '../logger.ts';

export function parseSecretKey(raw: string): Buffer | undefined {
  const bytes = /^[0-9a-fA-F]{64}$/.test(raw) ? Buffer.from(raw, 'hex') : Buffer.from(raw, 'base64');
  return bytes.length === 32 ? bytes : undefined;
}

export function loadSecretKey(configured: string | undefined, dataDir: string, log: Logger): Buffer {
  if (configured) {
    const key = parseSecretKey(configured);
    if (!key) throw new Error('BATCHLINE_SECRET_KEY must be 32 bytes, base64 or hex');
    return key;
  }
  const file = path.join(dataDir, 'secret.key');
  try {
    const key = parseSecretKey(fs.readFileSync(file, 'utf8').trim());
    if (key) return key;
  } catch {
    // not there yet
  }
  fs.mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32);
  try {
    fs.writeFileSync(file, key.toString('base64'), { mode: 0o600, flag: 'wx' });
    log.warn({ file }, 'BATCHLINE_SECRET_KEY is not set: generated a development key in the data dir (set it in production, the same on every replica)');
    return key;
  } catch {
    // Another process created it first: use theirs.
    const existing = parseSecretKey(fs.readFileSync(file, 'utf8').trim());
    if (!existing) throw new Error(`unreadable secret key file ${file}`);
    return existing;
  }
}
