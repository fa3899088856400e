// Connections in the store: created for every role of their plugin, updated in place with a merge patch
// (with an audit line that names fields, never values), and resolved for a job with its own config laid
// over the connection's.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { createTestDatabase } from '../../test/helpers/database.ts';
import { openDatabase } from '../db/connect.ts';
import { migrate } from '../db/migrate.ts';
import { createLogger } from '../logger.ts';
import { firstPartyPlugins } from '../plugins/load.ts';
import { secretKeysOf } from '../secrets/key.ts';
import { resolveConnection } from './resolve.ts';
import { createConnection, getConnection } from './store.ts';
import { updateConnection } from './update.ts';

test('an update is audited by field name only; a job merges its config over the connection, refusing unknown fields and redirects', async () => {
  const tdb = await createTestDatabase();
  const database = await openDatabase({ databaseUrl: tdb.url, dataDir: tdb.dataDir });
  const lines: string[] = [];
  const log = createLogger('info', 'test', { pretty: false, destination: new Writable({ write: (chunk: Buffer, _e, done) => (lines.push(chunk.toString()), done()) }) });
  const deps = { db: database.db, plugins: firstPartyPlugins(), secretKey: secretKeysOf(randomBytes(32)), log };
  try {
    await migrate(database.db);
    await createConnection(deps, { name: 'zd', plugin: 'zendesk', config: { subdomain: 'acme', email: 'ops@acme.example', api_token: 'tok-one-SECRET', query: 'status:new', tags: ['vip'], custom_fields: { '1': 'category' } } }, { by: 'key:abcd1234' });
    await updateConnection(deps, 'zd', { config: { api_token: 'tok-two-SECRET', query: null, custom_fields: { '2': 'priority' } } }, { by: 'key:abcd1234' });
    const audit = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => typeof l.audit === 'string');
    assert.deepEqual(audit.map((l) => l.audit), ['connection.create', 'connection.update']);
    assert.deepEqual([audit[1]?.changed, audit[1]?.secrets_set, audit[1]?.by], [['custom_fields', 'query'], ['api_token'], 'key:abcd1234']);
    assert.ok(!lines.join('').includes('SECRET'), 'no secret in any log line');

    const resolve = (role: 'source' | 'sink', overrides: unknown) => resolveConnection(deps, 'zd', role, overrides, role === 'source' ? 'source' : 'sinks.0');
    const source = await resolve('source', { include_comments: true });
    assert.deepEqual(source.config, { subdomain: 'acme', email: 'ops@acme.example', api_token: 'tok-two-SECRET', include_comments: true }, 'the source role takes the source fields only');
    const sink = await resolve('sink', { custom_fields: { '3': 'sentiment' }, tags: null, api_token: 'job-own-token' });
    assert.deepEqual(sink.config.custom_fields, { '1': 'category', '2': 'priority', '3': 'sentiment' }, 'objects merge (RFC 7396)');
    assert.equal(sink.config.tags, undefined, 'null removes');
    assert.deepEqual(sink.ownCredentials, ['api_token'], 'a token the job gives itself stays the job\'s');
    await assert.rejects(resolve('sink', { query: 'x' }), /sinks\.0\.config\.query: is not a field of the zendesk sink/);
    await assert.rejects(resolve('source', { subdomain: 'evil' }), /source\.config\.subdomain: cannot be overridden/);

    // Its key lost (no fallback): the connection says so, a job is refused clearly, and a PATCH giving
    // the secret again heals it.
    const lost = { ...deps, secretKey: secretKeysOf(randomBytes(32)) };
    assert.equal((await getConnection(lost, 'zd')).secrets_key, 'unreadable');
    await assert.rejects(resolveConnection(lost, 'zd', 'source', undefined, 'source'), /source\.connection: connection "zd" holds secrets that none of the configured keys opens/);
    await assert.rejects(updateConnection(lost, 'zd', { config: {} }), /config\.api_token: email and api_token go together/);
    assert.equal((await updateConnection(lost, 'zd', { config: { api_token: 'tok-three-SECRET' } })).secrets_key, 'current');
  } finally {
    await database.close();
    await tdb.drop();
  }
});
