// How `batchline run` flags become a job body: paths made absolute here, --config typed by the plugin's
// schema, sinks from short specs, and every mistake a usage error before anything is sent.
import assert from 'node:assert/strict';
import path from 'node:path';
import fs from 'node:fs';
import os from 'node:os';
import { test } from 'node:test';
import { applyAssignments, parseAssignment } from './config-values.ts';
import { UsageError } from './errors.ts';
import { parseSink, planJob } from './job-body.ts';
import type { JsonSchema } from './types.ts';

const U = 'usage';

const reviewsSchema: JsonSchema = {
  type: 'object',
  properties: {
    path: { type: 'string' },
    format: { type: 'string', enum: ['auto', 'csv', 'tsv', 'jsonl'] },
    columns: { type: 'object', properties: { id: { type: 'string' }, text: { type: 'string' } } },
    metadata_columns: { type: 'array', items: { type: 'string' } },
    batch_size: { type: 'integer' },
    ratio: { type: 'number' },
    recursive: { type: 'boolean' },
    headers: { type: 'object', additionalProperties: { type: 'string' } },
  },
  required: ['path'],
};

function assign(...flags: string[]): Record<string, unknown> {
  const target: Record<string, unknown> = {};
  applyAssignments(target, flags.map((f) => parseAssignment(f, U)), reviewsSchema, U);
  return target;
}

test('--config values are typed by the schema: a column named "5" stays text, numbers and booleans are parsed', () => {
  assert.deepEqual(assign('columns.id=5', 'columns.text=Review Text', 'batch_size=100', 'ratio=0.5', 'recursive=yes', 'format=csv'), {
    columns: { id: '5', text: 'Review Text' },
    batch_size: 100,
    ratio: 0.5,
    recursive: true,
    format: 'csv',
  });
  assert.deepEqual(assign('metadata_columns=Device, App Version Name'), { metadata_columns: ['Device', 'App Version Name'] });
  assert.deepEqual(assign('metadata_columns=["a,b"]'), { metadata_columns: ['a,b'] });
  assert.deepEqual(assign('headers={"x-team":"ops"}'), { headers: { 'x-team': 'ops' } });
  assert.deepEqual(assign('unknown=12', 'other=plain text'), { unknown: 12, other: 'plain text' }, 'fields the schema does not know: JSON when it parses');
  assert.deepEqual(assign('path=a=b.csv'), { path: 'a=b.csv' }, 'only the first = splits');
});

test('--config mistakes are usage errors', () => {
  assert.throws(() => assign('batch_size=1.5'), UsageError);
  assert.throws(() => assign('batch_size=many'), UsageError);
  assert.throws(() => assign('headers={oops'), UsageError);
  assert.throws(() => assign('novalue'), /--config needs key=value/);
  assert.throws(() => assign('format=csv', 'format.x=1'), /already set/);
  assert.throws(() => assign('columns..id=1'), UsageError);
});

test('sink specs: file paths made absolute, http URLs, connections', () => {
  assert.deepEqual(parseSink('file:out/r.jsonl', '/work/here', U), { ref: { plugin: 'file', config: { path: '/work/here/out/r.jsonl' } }, root: '/work/here/out' });
  assert.deepEqual(parseSink('http:https://hooks.example/x', '/w', U), { ref: { plugin: 'http', config: { url: 'https://hooks.example/x' } } });
  assert.deepEqual(parseSink('https://hooks.example/x', '/w', U), { ref: { plugin: 'http', config: { url: 'https://hooks.example/x' } } });
  assert.deepEqual(parseSink('connection:results-hook', '/w', U), { ref: { connection: 'results-hook' } });
  for (const bad of ['out.jsonl', 'file:', 'ftp:x', ':x']) assert.throws(() => parseSink(bad, '/w', U), UsageError, bad);
});

test('flags become a job body with absolute paths and the folders an embedded server must allow', () => {
  const plan = planJob(
    { source: 'reviews', path: 'data/reviews.csv', preset: 'google-play', config: ['columns.text=Body'], task: 'review-insights', sink: ['file:out.jsonl'], model: 'claude-x', maxTokens: '512', name: 'q3' },
    '/work/here',
    U,
  );
  assert.deepEqual(plan.body, {
    name: 'q3',
    task: 'review-insights',
    model: 'claude-x',
    max_tokens: 512,
    source: { plugin: 'reviews' },
    sinks: [{ plugin: 'file', config: { path: '/work/here/out.jsonl' } }],
  });
  assert.deepEqual(plan.sourceAssignments, [
    { key: 'path', raw: '/work/here/data/reviews.csv' },
    { key: 'preset', raw: 'google-play' },
    { key: 'columns.text', raw: 'Body' },
  ]);
  assert.deepEqual(plan.fileRoots.sort(), ['/work/here', '/work/here/data']);
  assert.deepEqual(planJob({ connection: 'play-export', task: 'review-insights' }, '/w', U).body, { task: 'review-insights', source: { connection: 'play-export' } });
});

test('a --job file is sent as written, with flag overrides and extra sinks', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'batchline-job-'));
  try {
    const body = { task: 'review-insights', source: { plugin: 'reviews', config: { path: 'in/r.csv', preset: 'google-play' } }, sinks: [{ plugin: 'file', config: { path: 'o/a.jsonl' } }] };
    fs.writeFileSync(path.join(dir, 'job.json'), JSON.stringify(body));
    const plan = planJob({ job: 'job.json', name: 'override', sink: ['connection:hook'] }, dir, U);
    assert.deepEqual(plan.body, { ...body, name: 'override', sinks: [...body.sinks, { connection: 'hook' }] });
    assert.deepEqual(plan.fileRoots.sort(), [path.join(dir, 'in'), path.join(dir, 'o')]);
    assert.deepEqual(planJob({ job: '-' }, dir, U, () => '{"task":"t","documents":[]}').body, { task: 't', documents: [] });
    fs.writeFileSync(path.join(dir, 'bad.json'), '{ nope');
    assert.throws(() => planJob({ job: 'bad.json' }, dir, U), /bad\.json is not valid JSON/);
    assert.throws(() => planJob({ job: 'missing.json' }, dir, U), /cannot read missing\.json: ENOENT/);
    fs.writeFileSync(path.join(dir, 'list.json'), '[]');
    assert.throws(() => planJob({ job: 'list.json' }, dir, U), /must hold a JSON object/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a run without what it needs is a usage error before anything is sent', () => {
  assert.throws(() => planJob({ source: 'reviews' }, '/w', U), /missing --task/);
  assert.throws(() => planJob({ task: 'review-insights' }, '/w', U), /missing --source PLUGIN or --connection NAME/);
  assert.throws(() => planJob({ task: 't', source: 'a', connection: 'b' }, '/w', U), /not both/);
  assert.throws(() => planJob({ job: 'x.json', source: 'reviews' }, '/w', U), /--source cannot be combined with --job/);
  for (const bad of ['0', '-1', '1.5', 'ten']) assert.throws(() => planJob({ task: 't', source: 's', maxTokens: bad }, '/w', U), /--max-tokens must be a positive whole number/);
});

test('--config values already read (readConfigFlags) pass through; --unset needs --connection and cannot go with --job', () => {
  const plan = planJob({ connection: 'play-export', task: 'review-insights', config: [{ key: 'query', raw: 'from a file', fromFile: true }, 'preset=app-store'], unset: ['columns'] }, '/w', U);
  assert.deepEqual(plan.sourceAssignments, [
    { key: 'query', raw: 'from a file', fromFile: true },
    { key: 'preset', raw: 'app-store' },
  ]);
  assert.deepEqual(plan.sourceUnset, ['columns']);
  assert.throws(() => planJob({ source: 'reviews', task: 't', unset: ['columns'] }, '/w', U), /--unset removes a field of the connection's config for this job: it needs --connection/);
  assert.throws(() => planJob({ job: 'x.json', unset: ['columns'] }, '/w', U), /--unset cannot be combined with --job/);
  assert.deepEqual(planJob({ source: 'reviews', task: 't', config: [], unset: [] }, '/w', U).sourceUnset, [], 'no flags given: empty lists are not a clash');
});
