// Issue #29: a replica given a placeholder or a published development value as a secret, or an API key too
// short to be one, refuses to start, with one line naming the variable and never the value.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { serviceCommand } from './helpers/service-command.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function start(env: Record<string, string>): { status: number | null; stderr: string } {
  const run = spawnSync(process.execPath, serviceCommand(), {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', PORT: '0', BATCHLINE_DATA_DIR: path.join(os.tmpdir(), 'batchline-never-used'), ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { status: run.status, stderr: run.stderr };
}

test('the placeholders of deploy/k8s/secret.yaml, the old compose key and a short key are refused at start-up', () => {
  const cases: Array<[Record<string, string>, RegExp]> = [
    [{ HOST: '0.0.0.0', BATCHLINE_API_KEYS: 'REPLACE_ME_WITH_A_LONG_RANDOM_TOKEN' }, /BATCHLINE_API_KEYS: key 1 is a placeholder/],
    [{ HOST: '0.0.0.0', BATCHLINE_API_KEYS: 'dev-key-change-me' }, /BATCHLINE_API_KEYS: key 1 is a development default/],
    [{ HOST: '0.0.0.0', BATCHLINE_API_KEYS: 'only-twenty-chars-ok' }, /BATCHLINE_API_KEYS: key 1 is 20 characters/],
  ];
  for (const [env, expected] of cases) {
    const run = start(env);
    assert.notEqual(run.status, 0, `started with ${JSON.stringify(env)}`);
    const lines = run.stderr.trim().split('\n');
    assert.equal(lines.length, 1, run.stderr);
    assert.match(run.stderr, expected);
    assert.ok(!run.stderr.includes(env.BATCHLINE_API_KEYS ?? ''), 'the value is never echoed');
  }
});
