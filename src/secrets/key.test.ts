// A development key made by processes that start together on one data dir: every one ends up with the same
// key, and none reads a key file another has created but not yet written.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const KEY_MODULE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'key.ts');

function keyFromChild(dataDir: string, at: number): Promise<string> {
  // Each child loads the module, then spins until the same instant, so their calls really do collide.
  const script = `const { loadSecretKey } = await import(${JSON.stringify(KEY_MODULE)}); while (Date.now() < ${at}); const log = { warn() {}, info() {} }; process.stdout.write(loadSecretKey(undefined, ${JSON.stringify(dataDir)}, log).toString('hex'));`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  return new Promise((resolve, reject) => child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`exit ${code}: ${err}`)))));
}

test('eight processes starting at once on a fresh data dir all get the one generated key', async () => {
  for (let round = 0; round < 2; round++) {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'key-race-'));
    const at = Date.now() + 2500;
    const keys = await Promise.all(Array.from({ length: 8 }, () => keyFromChild(dataDir, at)));
    assert.equal(new Set(keys).size, 1, `round ${round}: ${keys.join(' ')}`);
    assert.match(keys[0] ?? '', /^[0-9a-f]{64}$/);
    assert.deepEqual(fs.readdirSync(dataDir), ['secret.key'], 'no draft file is left behind');
    assert.equal(fs.statSync(path.join(dataDir, 'secret.key')).mode & 0o777, 0o600);
  }
});
