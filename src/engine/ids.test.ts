import assert from 'node:assert/strict';
import { test } from 'node:test';
import { customIdOf, newJobId, parseCustomId } from './ids.ts';

test('custom ids match the API pattern and round-trip', () => {
  const id = customIdOf('a1b2c3', 9_007_199_254_740, 100);
  assert.match(id, /^[a-zA-Z0-9_-]{1,64}$/);
  assert.deepEqual(parseCustomId(id), { tag: 'a1b2c3', itemId: 9_007_199_254_740, attempt: 100 });
});

test('foreign custom ids are not parsed as ours', () => {
  assert.equal(parseCustomId('doc-0001'), undefined);
  assert.equal(parseCustomId('blabc_1'), undefined);
});

test('job ids are unique and url-safe', () => {
  const ids = new Set(Array.from({ length: 1000 }, newJobId));
  assert.equal(ids.size, 1000);
  for (const id of ids) assert.match(id, /^job_[a-z0-9]{16}$/);
});
