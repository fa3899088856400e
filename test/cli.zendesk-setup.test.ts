// `batchline zendesk setup` sets up the deployment Zendesk calls (BATCHLINE_URL). Without BATCHLINE_URL it
// would configure a throwaway embedded server instead, so it refuses in one line with exit 2 and changes
// nothing (no data dir, no connection, stdin unread), unless --embedded says a local trial is meant.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { runCli, type CliRun } from './helpers/cli.ts';
import { createTestDatabase } from './helpers/database.ts';
import { testEnv } from './helpers/service.ts';

/** The CLI in this process, with a stdin that records whether the command read it. */
async function cli(args: string[], env: Record<string, string>, cwd: string): Promise<CliRun & { stdinRead: boolean }> {
  let stdinRead = false;
  const stdin = Readable.from(
    (function* () {
      stdinRead = true;
      yield Buffer.from('zd-token-from-stdin-4c1\n');
    })(),
  );
  const run = await runCli(args, { env, cwd, stdin });
  return { ...run, stdinRead };
}

const SETUP = ['zendesk', 'setup', '--subdomain', 'acme', '--email', 'ops@acme.example', '--api-token-file', '-', '--public-url', 'https://batchline.acme.example'];

test('without BATCHLINE_URL, zendesk setup refuses in one line and changes nothing', async () => {
  const db = await createTestDatabase({ empty: true });
  const dataDir = path.join(db.dataDir, 'never-made');
  try {
    const refused = await cli(SETUP, { BATCHLINE_DATA_DIR: dataDir }, db.dataDir);
    assert.equal(refused.code, 2);
    assert.equal(refused.stdout, '');
    assert.equal(refused.stderr.split('\n').filter(Boolean).length, 1, refused.stderr);
    assert.match(refused.stderr, /^batchline: zendesk setup configures the deployment Zendesk calls: set BATCHLINE_URL \(and BATCHLINE_TOKEN\) to it first/);
    assert.match(refused.stderr, /a throwaway embedded server in .*never-made, which Zendesk cannot reach \(add --embedded if that is what you mean\)\n$/);
    assert.equal(refused.stdinRead, false, 'the token was not even read');
    assert.equal(fs.existsSync(dataDir), false, 'no embedded server was started');

    // With DATABASE_URL (and no BATCHLINE_SECRET_KEY) the refusal says what would go wrong there.
    const onPostgres = await cli(SETUP, { BATCHLINE_DATA_DIR: dataDir, DATABASE_URL: 'postgres://nobody@127.0.0.1:9/none' }, db.dataDir);
    assert.equal(onPostgres.code, 2);
    assert.match(onPostgres.stderr, /on DATABASE_URL, sealing the token with a key generated in .*never-made that no replica can open/);
    assert.equal(fs.existsSync(dataDir), false);

    const both = await cli([...SETUP, '--embedded'], { BATCHLINE_URL: 'http://127.0.0.1:9' }, db.dataDir);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /--embedded is for when BATCHLINE_URL is not set/);
  } finally {
    await db.drop();
  }
});

test('--embedded sets it up on an embedded server all the same', async () => {
  const db = await createTestDatabase();
  try {
    const run = await cli([...SETUP, '--embedded'], testEnv(db), db.dataDir);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /Connection "zd" \(zendesk, source and sink\) is ready; Batchline signs in as ops@acme\.example/);
    assert.match(run.stdout, /Endpoint URL {5}https:\/\/batchline\.acme\.example\/v1\/connections\/zd\/webhook/);
    assert.ok(!run.stdout.includes('zd-token-from-stdin'), 'the token is never printed');
    // The connection is in the embedded server's database: a second command on the same data finds it.
    const listed = await runCli(['connections', 'list', '--json'], { env: testEnv(db), cwd: db.dataDir });
    assert.equal(listed.code, 0, listed.stderr);
    assert.deepEqual((JSON.parse(listed.stdout) as { data: Array<{ name: string; plugin: string }> }).data.map((c) => [c.name, c.plugin]), [['zd', 'zendesk']]);
  } finally {
    await db.drop();
  }
});
