// Encrypts secret config fields at rest with AES-256-GCM: a random 96-bit IV per value, the auth tag
// checked on the way out, so a tampered or wrong-key ciphertext fails loudly instead of decrypting to junk.
// The auth tag also tells which key sealed a value: opening tries the current key, then the fallbacks.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { SecretKeys } from './key.ts';

const VERSION = 'v1';
/**
 * GCM tags are pinned at the full 16 bytes, on sealing and on opening: without the pin, Node accepts a
 * shorter tag given to setAuthTag, and a forger needs to guess far fewer bits (issue #29).
 * No associated data is bound: a sealed value moved to another row needs write access to the database,
 * which already lets its holder change that row's clear config (its URL) and is outside what sealing
 * protects against: a dump or a backup read by someone without the key (docs/operations.md, "Security model").
 */
const TAG_BYTES = 16;

/** No configured key opens this value (sealed under a key that is gone, or damaged). */
export class SecretUnreadableError extends Error {
  override name = 'SecretUnreadableError';
}

export function encryptSecret(keys: SecretKeys | Buffer, plaintext: string): string {
  const key = Buffer.isBuffer(keys) ? keys : keys.current;
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [VERSION, iv.toString('base64'), cipher.getAuthTag().toString('base64'), data.toString('base64')].join(':');
}

export function decryptSecret(keys: SecretKeys | Buffer, sealed: string): string {
  return openSealed(keys, sealed).plaintext;
}

/** The plaintext, and whether it was sealed under the current key (false: a fallback opened it). */
export function openSealed(keys: SecretKeys | Buffer, sealed: string): { plaintext: string; current: boolean } {
  const [version, iv, tag, data] = sealed.split(':');
  if (version !== VERSION || !iv || !tag || data === undefined) throw new SecretUnreadableError('not a sealed secret');
  const tagBytes = Buffer.from(tag, 'base64');
  if (tagBytes.length !== TAG_BYTES) throw new SecretUnreadableError('not a sealed secret: its authentication tag is not 16 bytes');
  const all = Buffer.isBuffer(keys) ? [keys] : [keys.current, ...keys.fallbacks];
  for (const [i, key] of all.entries()) {
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'), { authTagLength: TAG_BYTES });
      decipher.setAuthTag(tagBytes);
      const plaintext = Buffer.concat([decipher.update(Buffer.from(data, 'base64')), decipher.final()]).toString('utf8');
      return { plaintext, current: i === 0 };
    } catch {
      // Not this key (the auth tag does not match): try the next.
    }
  }
  throw new SecretUnreadableError('a stored secret opens with none of the configured keys (BATCHLINE_SECRET_KEY, BATCHLINE_SECRET_KEY_FALLBACKS)');
}
