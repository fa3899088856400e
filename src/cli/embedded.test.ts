// The embedded server's settings and its data-dir lock: file roots follow the flags unless the user set
// them, polling suits someone watching, and two processes never open one PGlite directory together.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { lockDataDir } from './data-lock.ts';
import { embeddedEnv } from './embedded.ts';
import { CliError } from './errors.ts';

test('the embedded server reads where the user points, on loopback and a free port', () => {
  const env = embeddedEnv({ PORT: '8080', HOST: '0.0.0.0' }, ['/data/exports', 'out'], '/work/here');
  assert.equal(env.BATCHLINE_FILE_ROOTS, '/work/here:/data/exports:/work/here/out');
  assert.equal(env.PORT, '0');
  assert.equal(env.HOST, '127.0.0.1');
  assert.equal(env.POLL_MIN_MS, '500', 'the simulator ends batches in seconds');
  const real = embeddedEnv({ ANTHROPIC_API_KEY: 'sk-test' }, [], '/w');
  assert.equal(real.POLL_MIN_MS, '10000');
  assert.equal(real.BATCHLINE_FILE_ROOTS, '/w');
});

test('settings the user gave are kept', () => {
  const env = embeddedEnv({ BATCHLINE_FILE_ROOTS: '/only/here', POLL_MAX_MS: '200', BATCHLINE_DATA_DIR: '/d' }, ['/elsewhere'], '/w');
  assert.equal(env.BATCHLINE_FILE_ROOTS, '/only/here');
  assert.equal(env.POLL_MIN_MS, undefined, 'no default that could clash with the given maximum');
  assert.equal(env.POLL_MAX_MS, '200');
  assert.equal(env.BATCHLINE_DATA_DIR, '/d');
});

test('one process at a time per data dir; a lock left by a dead process is taken over', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'batchline-lock-'));
  try {
    const lock = lockDataDir(dir, 'run');
    assert.throws(() => lockDataDir(dir, 'status'), (error: unknown) => error instanceof CliError && error.message.includes(`pid ${process.pid}, "batchline run"`));
    lock.release();
    assert.ok(!fs.existsSync(path.join(dir, 'batchline.lock')));

    const dead = spawnSync(process.execPath, ['-e', '0']).pid;
    fs.writeFileSync(path.join(dir, 'batchline.lock'), JSON.stringify({ pid: dead, command: 'run' }));
    const taken = lockDataDir(dir, 'status');
    assert.equal((JSON.parse(fs.readFileSync(path.join(dir, 'batchline.lock'), 'utf8')) as { pid: number }).pid, process.pid);
    taken.release();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
