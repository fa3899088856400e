import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { pino } from 'pino';
import type { DeliveredResult, SinkContext } from '../../src/plugins/contract.ts';
import { fileRoots } from '../../src/plugins/paths.ts';
import { fileSink } from './index.ts';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'file-sink-'));
const ctx: SinkContext = { jobId: 'job_1', log: pino({ level: 'silent' }), database: { query: async () => ({ rows: [] }) }, fileRoots: [root], signal: new AbortController().signal };

const result = (n: number, extra: Partial<DeliveredResult> = {}): DeliveredResult => ({
  idempotency_key: `key-${n}`,
  job_id: 'job_1',
  item_id: String(n),
  external_id: `doc-${n}`,
  status: 'succeeded',
  output: { summary: `line one\nline two, "quoted" ${n}`, score: n },
  error: null,
  attempts: 1,
  usage: { input_tokens: 10, output_tokens: 5, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
  metadata: { rating: 5 },
  ...extra,
});

test('JSONL: each result once, even when delivered again', async () => {
  const config = fileSink.configSchema.parse({ path: 'a/out.jsonl' });
  await fileSink.deliver(config, [result(1), result(2)], ctx);
  const again = await fileSink.deliver(config, [result(2), result(3), result(3)], ctx);
  assert.ok(again.every((o) => o.ok));
  const keys = fs.readFileSync(path.join(root, 'a/out.jsonl'), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as DeliveredResult).idempotency_key);
  assert.deepEqual(keys, ['key-1', 'key-2', 'key-3']);
});

test('after a restart the file itself tells what is there; a torn last line is cut, not kept', async () => {
  const file = path.join(root, 'restart.jsonl');
  // What a previous process left: two whole lines and half of a third (killed mid-append).
  fs.writeFileSync(file, `${JSON.stringify(result(1))}\n${JSON.stringify(result(2))}\n${JSON.stringify(result(3)).slice(0, 40)}`);
  const config = fileSink.configSchema.parse({ path: 'restart.jsonl' });
  await fileSink.deliver(config, [result(2), result(3), result(4)], ctx);
  const lines = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
  assert.deepEqual(lines.map((l) => (JSON.parse(l) as DeliveredResult).idempotency_key), ['key-1', 'key-2', 'key-3', 'key-4']);
});

test('CSV: a header once, one record per line, JSON fields intact', async () => {
  const config = fileSink.configSchema.parse({ path: 'out.csv' });
  await fileSink.deliver(config, [result(1), result(2, { status: 'failed', output: null, error: { type: 'invalid_output', message: 'bad\nanswer' } })], ctx);
  await fileSink.deliver(config, [result(2), result(3)], ctx);
  const text = fs.readFileSync(path.join(root, 'out.csv'), 'utf8');
  assert.equal(text.trim().split('\n').length, 4, 'header + 3 records, one line each');
  const rows = parse(text, { columns: true }) as Array<Record<string, string>>;
  assert.deepEqual(rows.map((r) => r.idempotency_key), ['key-1', 'key-2', 'key-3']);
  assert.equal((JSON.parse(rows[0]?.output ?? '{}') as { summary: string }).summary, 'line one\nline two, "quoted" 1');
  assert.equal(rows[1]?.error_message, 'bad answer');
});

test('paths outside BATCHLINE_FILE_ROOTS are refused for good', async () => {
  const config = fileSink.configSchema.parse({ path: '../escape.jsonl' });
  const outcomes = await fileSink.deliver(config, [result(1)], ctx);
  assert.deepEqual(outcomes, [{ ok: false, retryable: false, error: 'path "../escape.jsonl" is outside BATCHLINE_FILE_ROOTS' }]);
});

test('a result never handed over before is appended without reading the file; one handed over before is looked for', async () => {
  const file = path.join(root, 'handed.jsonl');
  const config = fileSink.configSchema.parse({ path: 'handed.jsonl' });
  await fileSink.deliver(config, [result(1), result(2)], { ...ctx, handedOverBefore: new Set() });
  // key-2 came back after a crash between "appended" and "marked delivered": found in the file, skipped.
  await fileSink.deliver(config, [result(2), result(3)], { ...ctx, handedOverBefore: new Set(['key-2']) });
  const keys = () => fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as DeliveredResult).idempotency_key);
  assert.deepEqual(keys(), ['key-1', 'key-2', 'key-3']);
  // The caller vouches that key-1 is new to this sink: nothing is read, so the file's copy is not consulted.
  await fileSink.deliver(config, [result(1)], { ...ctx, handedOverBefore: new Set() });
  assert.deepEqual(keys(), ['key-1', 'key-2', 'key-3', 'key-1']);
});

test('a torn last line longer than one backwards read is cut whole', async () => {
  const file = path.join(root, 'long-torn.jsonl');
  const long = JSON.stringify(result(2, { output: { summary: 'x'.repeat(200_000), score: 2 } }));
  fs.writeFileSync(file, `${JSON.stringify(result(1))}\n${long.slice(0, 150_000)}`);
  const config = fileSink.configSchema.parse({ path: 'long-torn.jsonl' });
  await fileSink.deliver(config, [result(2)], { ...ctx, handedOverBefore: new Set(['key-2']) });
  const lines = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
  assert.deepEqual(lines.map((l) => (JSON.parse(l) as DeliveredResult).idempotency_key), ['key-1', 'key-2']);
});

test('a dangling symlink is refused, not written through: nothing appears where it points (issue #29)', async () => {
  const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'file-sink-outside-'));
  const target = path.join(outside, 'planted.jsonl');
  fs.mkdirSync(path.join(root, 'links'), { recursive: true });
  fs.symlinkSync(target, path.join(root, 'links', 'results.jsonl'));
  const outcomes = await fileSink.deliver(fileSink.configSchema.parse({ path: 'links/results.jsonl' }), [result(1)], ctx);
  assert.equal(outcomes[0]?.ok, false);
  assert.equal(outcomes[0]?.ok === false && outcomes[0].retryable, false);
  assert.match(outcomes[0]?.ok === false ? outcomes[0].error : '', /symbolic link to nothing/);
  assert.equal(fs.existsSync(target), false, 'nothing was created outside the roots');
});

test('hidden files and the data directory are never written (issue #29)', async () => {
  const dataDir = path.join(root, 'state');
  fs.mkdirSync(dataDir, { recursive: true });
  fs.writeFileSync(path.join(dataDir, 'secret.key'), 'KEEP-ME');
  const guarded: SinkContext = { ...ctx, fileRoots: fileRoots([root], [dataDir]) };
  for (const p of ['.env', 'a/.hidden/out.jsonl', 'state/secret.key', 'state/new.jsonl']) {
    const [outcome] = await fileSink.deliver(fileSink.configSchema.parse({ path: p }), [result(1)], guarded);
    assert.equal(outcome?.ok, false, p);
  }
  assert.equal(fs.readFileSync(path.join(dataDir, 'secret.key'), 'utf8'), 'KEEP-ME');
  assert.equal(fs.existsSync(path.join(root, '.env')), false);
});
