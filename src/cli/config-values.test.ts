// --config and --unset as every command reads them (run, compare, connections): `@FILE` and `@-` read in,
// `@@…` a literal `@`, --unset as null in the merge patch, and contradictions refused before anything runs.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { applyAssignments, applyUnset, readConfigFlags } from './config-values.ts';
import { UsageError } from './errors.ts';
import { warnLiteralSecrets } from './secret-values.ts';

const U = 'usage';

function withDir<T>(work: (dir: string) => Promise<T>): Promise<T> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'batchline-config-values-'));
  return work(dir).finally(() => fs.rmSync(dir, { recursive: true, force: true }));
}

const stdinOf = (text: string) => Readable.from([Buffer.from(text)]);

test('values @FILE and @- are read in (one trailing newline dropped), @@ is a literal @, the rest as typed', () =>
  withDir(async (dir) => {
    fs.writeFileSync(path.join(dir, 'token.txt'), 'tok-from-file\n');
    const { assignments, unset } = await readConfigFlags(['api_token=@token.txt', 'query=@-', 'columns.text=@@Body', 'per_page=50'], [], { cwd: dir, stdin: stdinOf('type:ticket\n') }, U);
    assert.deepEqual(assignments, [
      { key: 'api_token', raw: 'tok-from-file', fromFile: true },
      { key: 'query', raw: 'type:ticket', fromFile: true },
      { key: 'columns.text', raw: '@Body' },
      { key: 'per_page', raw: '50' },
    ]);
    assert.deepEqual(unset, []);
  }));

test('a missing file, a second @- and an empty name are one-line errors', () =>
  withDir(async (dir) => {
    const ctx = { cwd: dir, stdin: stdinOf('x') };
    await assert.rejects(readConfigFlags(['api_token=@missing.txt'], [], ctx, U), /cannot read api_token from missing\.txt: ENOENT/);
    await assert.rejects(readConfigFlags(['a=@-', 'b=@-'], [], ctx, U), /only one --config value can come from stdin/);
    await assert.rejects(readConfigFlags(['a=@'], [], ctx, U), UsageError);
    await assert.rejects(readConfigFlags(['novalue'], [], ctx, U), /--config needs key=value/);
  }));

test('--unset: null in the patch, dotted fields reach nested objects, and a field both set and unset is refused', async () => {
  const ctx = { cwd: '/', stdin: stdinOf('') };
  const { assignments, unset } = await readConfigFlags(['columns.text=Body'], ['query', 'columns.id'], ctx, U);
  const config: Record<string, unknown> = {};
  applyAssignments(config, assignments, undefined, U);
  applyUnset(config, unset, U);
  assert.deepEqual(config, { columns: { text: 'Body', id: null }, query: null });
  for (const [set, unsetField] of [['query=x', 'query'], ['columns.text=Body', 'columns'], ['columns=[]', 'columns.text']]) {
    await assert.rejects(readConfigFlags([set as string], [unsetField as string], ctx, U), /contradict each other/, `${set} / ${unsetField}`);
  }
  await assert.rejects(readConfigFlags([], ['a..b'], ctx, U), /is not a field name/);
});

test('a secret typed on the command line is warned about; one read from a file or stdin is not', () =>
  withDir(async (dir) => {
    fs.writeFileSync(path.join(dir, 'token.txt'), 'secret-from-file');
    const { assignments } = await readConfigFlags(['api_token=@token.txt', 'oauth_token=typed', 'webhook_secret=@@typed-too'], [], { cwd: dir, stdin: stdinOf('') }, U);
    let stderr = '';
    warnLiteralSecrets(assignments, ['api_token', 'oauth_token', 'webhook_secret'], { stderr: { write: (s: string) => ((stderr += s), true) } as unknown as NodeJS.WriteStream });
    assert.deepEqual(
      stderr.trim().split('\n').map((l) => /warning: (\w+) was given on the command line/.exec(l)?.[1]),
      ['oauth_token', 'webhook_secret'],
    );
  }));
