// Encrypts secret config fields at rest with AES-256-GCM: a random 96-bit IV per value, the auth tag
// checked on the way out, so a tampered or wrong-key ciphertext fails loudly instead of decrypting to junk.
// The auth tag also tells which key sealed a value: opening tries the current key, then the fallbacks.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { SecretKeys } from './key.ts';

const VERSION = 'v1';

/** No configured key opens this value (sealed under a key that is gone, or damaged). */
export class SecretUnreadableError extends Error {
  override name = 'SecretUnreadableError';
}

export function encryptSecret(keys: SecretKeys | Buffer, plaintext: string): string {
  const key = Buffer.isBuffer(keys) ? keys : keys.current;
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
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
  const all = Buffer.isBuffer(keys) ? [keys] : [keys.current, ...keys.fallbacks];
  for (const [i, key] of all.entries()) {
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
      decipher.setAuthTag(Buffer.from(tag, 'base64'));
      const plaintext = Buffer.concat([decipher.update(Buffer.from(data, 'base64')), decipher.final()]).toString('utf8');
      return { plaintext, current: i === 0 };
    } catch {
      // Not this key (the auth tag does not match): try the next.
    }
  }
  throw new SecretUnreadableError('a stored secret opens with none of the configured keys (BATCHLINE_SECRET_KEY, BATCHLINE_SECRET_KEY_FALLBACKS)');
}
