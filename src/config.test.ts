import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, loadConfig } from './config.ts';

test('defaults follow CONTRACT.md', () => {
  const c = loadConfig({});
  assert.equal(c.PORT, 8080);
  assert.equal(c.HOST, '127.0.0.1');
  assert.equal(c.BATCH_MAX_REQUESTS, 100_000);
  assert.equal(c.BATCH_MAX_BYTES, 256 * 1024 * 1024);
  assert.equal(c.POLL_MIN_MS, 30_000);
  assert.equal(c.POLL_MAX_MS, 600_000);
  assert.equal(c.MAX_ATTEMPTS, 3);
  assert.equal(c.DATABASE_URL, undefined);
  assert.equal(c.BATCHLINE_DATA_DIR, './.batchline');
  assert.ok(Object.isFrozen(c));
});

// Tests shorten these windows to seconds (chaos, crash and callback tests); production keeps the defaults
// the reference calls for (a create's visibility settles within ~40 s, §12; a 404 is read as "not yet" for 30 min).
test('the windows tests shorten keep their production defaults', () => {
  const c = loadConfig({});
  assert.equal(c.BATCHLINE_CREATE_SETTLE_MS, 45_000);
  assert.equal(c.BATCHLINE_LEASE_MS, 60_000);
  assert.equal(c.BATCHLINE_UNCONFIRMED_WINDOW_MS, 30 * 60_000);
  assert.equal(c.BATCHLINE_RECHECK_MIN_MS, 2_000);
  assert.equal(c.BATCHLINE_RECHECK_MAX_MS, 60_000);
  assert.equal(c.BATCHLINE_SWEEP_INTERVAL_MS, 10_000);
  assert.equal(c.BATCHLINE_BATCH_CUT_MS, 5_000);
  assert.equal(c.BATCHLINE_IDLE_MS, 500);
});

test('sizes accept units', () => {
  assert.equal(loadConfig({ BATCH_MAX_BYTES: '64MB' }).BATCH_MAX_BYTES, 64 * 1024 * 1024);
  assert.equal(loadConfig({ BATCH_MAX_BYTES: '2048' }).BATCH_MAX_BYTES, 2048);
});

test('a bad value stops the start with one line naming the variable', () => {
  const cases: Array<[Record<string, string>, RegExp]> = [
    [{ PORT: 'eighty' }, /^invalid environment variable PORT: /],
    [{ BATCH_MAX_REQUESTS: '200000' }, /^invalid environment variable BATCH_MAX_REQUESTS: /],
    [{ DATABASE_URL: 'mysql://x' }, /^invalid environment variable DATABASE_URL: must start with postgres/],
    [{ POLL_MIN_MS: '5000', POLL_MAX_MS: '1000' }, /^invalid environment variable POLL_MIN_MS: must not exceed POLL_MAX_MS/],
    [{ BATCH_MAX_BYTES: 'lots' }, /^invalid environment variable BATCH_MAX_BYTES: /],
    [{ BATCHLINE_RECHECK_MIN_MS: '90000' }, /^invalid environment variable BATCHLINE_RECHECK_MIN_MS: must not exceed BATCHLINE_RECHECK_MAX_MS/],
    [{ HOST: '0.0.0.0' }, /^invalid environment variable HOST: .*BATCHLINE_API_KEYS/],
  ];
  for (const [env, pattern] of cases) {
    assert.throws(() => loadConfig(env), (e: unknown) => e instanceof ConfigError && pattern.test(e.message) && !e.message.includes('\n'));
  }
});

test('a non-loopback HOST is allowed once API keys are set', () => {
  assert.equal(loadConfig({ HOST: '0.0.0.0', BATCHLINE_API_KEYS: `${'a'.repeat(32)},${'b'.repeat(40)}` }).BATCHLINE_API_KEYS.length, 2);
});

test('config errors never echo the value (it may be a secret)', () => {
  assert.throws(() => loadConfig({ ANTHROPIC_BASE_URL: 'sk-secret-value' }), (e: unknown) => e instanceof ConfigError && !e.message.includes('sk-secret-value'));
});

test('placeholders, published development values and short API keys are refused at start-up, naming the variable only', () => {
  const long = 'k'.repeat(32);
  const cases: Array<[Record<string, string>, RegExp]> = [
    [{ BATCHLINE_API_KEYS: 'REPLACE_ME_WITH_A_LONG_RANDOM_TOKEN' }, /^invalid environment variable BATCHLINE_API_KEYS: key 1 is a placeholder/],
    [{ BATCHLINE_API_KEYS: 'dev-key-change-me' }, /^invalid environment variable BATCHLINE_API_KEYS: key 1 is a development default published/],
    [{ BATCHLINE_API_KEYS: `${long},short-key-1234` }, /^invalid environment variable BATCHLINE_API_KEYS: key 2 is 14 characters; a key needs at least 32/],
    [{ BATCHLINE_SECRET_KEY: 'YmF0Y2hsaW5lLWNvbXBvc2UtZGV2LWtleS0wMDAwMDA=' }, /^invalid environment variable BATCHLINE_SECRET_KEY: is a development default/],
    [{ WEBHOOK_SECRET: 'whsec_Y29tcG9zZS1kZXYtd2ViaG9vay1zZWNyZXQ=' }, /^invalid environment variable WEBHOOK_SECRET: is a development default/],
    [{ ANTHROPIC_API_KEY: 'REPLACE_ME' }, /^invalid environment variable ANTHROPIC_API_KEY: is a placeholder/],
    [{ DATABASE_URL: 'postgres://batchline:REPLACE_ME@db:5432/batchline' }, /^invalid environment variable DATABASE_URL: is a placeholder/],
  ];
  for (const [env, pattern] of cases) {
    assert.throws(() => loadConfig(env), (e: unknown) => e instanceof ConfigError && pattern.test(e.message) && !Object.values(env).some((v) => e.message.includes(v)), JSON.stringify(env));
  }
  assert.equal(loadConfig({ BATCHLINE_API_KEYS: long }).BATCHLINE_API_KEYS[0], long);
});
