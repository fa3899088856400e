// Sealing with the current key, opening with it or a fallback, and a clear error when no key opens a value.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { decryptSecret, encryptSecret, openSealed, SecretUnreadableError } from './crypto.ts';
import { keyIdOf, parseSecretKeyList, secretKeysOf } from './key.ts';

test('the current key seals; a fallback still opens what it sealed, and says so', () => {
  const oldKey = randomBytes(32);
  const newKey = randomBytes(32);
  const sealedOld = encryptSecret(secretKeysOf(oldKey), '{"api_token":"t"}');
  const rotating = secretKeysOf(newKey, [oldKey]);
  assert.deepEqual(openSealed(rotating, sealedOld), { plaintext: '{"api_token":"t"}', current: false });
  const sealedNew = encryptSecret(rotating, 'x');
  assert.deepEqual(openSealed(rotating, sealedNew), { plaintext: 'x', current: true });
  assert.throws(() => decryptSecret(secretKeysOf(oldKey), sealedNew), SecretUnreadableError, 'the old key cannot open what the new one sealed');
  assert.throws(() => decryptSecret(secretKeysOf(newKey), sealedOld), (e: unknown) => e instanceof SecretUnreadableError && /none of the configured keys/.test(e.message));
  assert.throws(() => openSealed(rotating, 'garbage'), SecretUnreadableError);
});

test('key lists and ids: a duplicate fallback is dropped; an id names a key without showing it', () => {
  const key = randomBytes(32);
  assert.equal(secretKeysOf(key, [key, key]).fallbacks.length, 0);
  assert.match(keyIdOf(key), /^[0-9a-f]{8}$/);
  assert.notEqual(keyIdOf(key), keyIdOf(randomBytes(32)));
  assert.equal(parseSecretKeyList(`${key.toString('base64')}, ${randomBytes(32).toString('hex')}`)?.length, 2);
  assert.equal(parseSecretKeyList('short'), undefined);
});

test('a sealed value with a shortened authentication tag is refused, not opened with fewer bits checked', () => {
  const key = randomBytes(32);
  const sealed = encryptSecret(key, 'api-token');
  const [version, iv, tag, data] = sealed.split(':');
  const short = [version, iv, Buffer.from(tag ?? '', 'base64').subarray(0, 4).toString('base64'), data].join(':');
  assert.throws(() => decryptSecret(key, short), (e: unknown) => e instanceof SecretUnreadableError && /16 bytes/.test(e.message));
  assert.equal(decryptSecret(key, sealed), 'api-token');
});
