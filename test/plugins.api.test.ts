// The plugin system through the HTTP API: GET /v1/plugins, connections with write-only secrets, and a
// third-party plugin package loaded from BATCHLINE_PLUGINS by its npm name that runs a job.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { startSimulator } from '../src/provider/simulator/index.ts';
import { createTestDatabase } from './helpers/database.ts';
import { postJson, startTestService, waitForJob } from './helpers/service.ts';

interface PluginBody {
  name: string;
  kind: string;
  origin: string;
  config_schema: { properties: Record<string, Record<string, unknown>> };
  secret_fields: string[];
}

test('GET /v1/plugins lists first-party and BATCHLINE_PLUGINS plugins, and the example plugin runs a job', async () => {
  const db = await createTestDatabase();
  const sim = await startSimulator({ processingMs: 50 });
  const service = await startTestService(db, sim.url, { BATCHLINE_PLUGINS: 'batchline-plugin-lines' });
  try {
    const plugins = ((await (await fetch(`${service.url}/v1/plugins`)).json()) as { data: PluginBody[] }).data;
    const names = plugins.map((p) => `${p.kind}:${p.name}`).sort();
    assert.deepEqual(names, ['sink:file', 'sink:http', 'sink:postgres', 'sink:zendesk', 'source:invoices', 'source:lines', 'source:reviews', 'source:zendesk']);
    const lines = plugins.find((p) => p.name === 'lines');
    assert.equal(lines?.origin, 'batchline-plugin-lines');
    assert.equal(lines?.config_schema.properties.path?.type, 'string');
    const zendesk = plugins.find((p) => p.kind === 'source' && p.name === 'zendesk');
    assert.ok(zendesk?.secret_fields.includes('api_token'));
    assert.equal(zendesk?.config_schema.properties.api_token?.writeOnly, true);
    assert.equal(zendesk?.config_schema.properties.api_token?.['x-secret'], true);

    fs.writeFileSync(path.join(db.dataDir, 'notes.txt'), 'The app crashes on start.\n\nLove the new dark mode!\nx\nSync lost my data twice.\n');
    const res = await postJson(`${service.url}/v1/jobs`, { task: 'review-insights', source: { plugin: 'lines', config: { path: 'notes.txt', min_length: 2 } } });
    assert.equal(res.status, 201, await res.clone().text());
    const created = (await res.json()) as { id: string; status: string };
    assert.equal(created.status, 'ingesting');
    const job = await waitForJob(service.url, created.id);
    assert.equal(job.status, 'completed');
    assert.equal(job.counts.succeeded, 3);
    const results = (await (await fetch(`${service.url}/v1/jobs/${created.id}/results`)).json()) as { data: Array<{ external_id: string }> };
    assert.deepEqual(results.data.map((r) => r.external_id).sort(), ['line-1', 'line-3', 'line-5']);

    // The plugin's own check: a path outside the roots is a 422 naming the field, and no job is made.
    const outside = await postJson(`${service.url}/v1/jobs`, { task: 'review-insights', source: { plugin: 'lines', config: { path: '/etc/hostname' } } });
    assert.equal(outside.status, 422);
    assert.match(((await outside.json()) as { detail: string }).detail, /^source\.config\.path: .*outside BATCHLINE_FILE_ROOTS/);
  } finally {
    await service.close();
    await sim.close();
    await db.drop();
  }
});

test('an uninstalled plugin package stops start-up with one line naming it', async () => {
  const db = await createTestDatabase();
  try {
    await assert.rejects(startTestService(db, 'http://127.0.0.1:9', { BATCHLINE_PLUGINS: 'batchline-plugin-nowhere' }), /plugin package "batchline-plugin-nowhere" \(BATCHLINE_PLUGINS\) is not installed/);
  } finally {
    await db.drop();
  }
});

test('connections: validated against the plugin, secrets encrypted at rest and never returned', async () => {
  const db = await createTestDatabase();
  const sim = await startSimulator({ processingMs: 50 });
  const service = await startTestService(db, sim.url);
  const token = 'zd-SECRET-token-4242';
  try {
    // Without kind, a zendesk connection serves both roles (issue 16): an empty config fails them both.
    const ambiguous = await postJson(`${service.url}/v1/connections`, { name: 'desk', plugin: 'zendesk', config: {} });
    assert.equal(ambiguous.status, 422);
    assert.equal(((await ambiguous.json()) as { errors: Array<{ field: string }> }).errors[0]?.field, 'config.subdomain');

    const invalid = await postJson(`${service.url}/v1/connections`, { name: 'desk', plugin: 'zendesk', kind: 'source', config: { email: 'ops@acme.example', api_token: token } });
    assert.equal(invalid.status, 422);
    const problem = (await invalid.json()) as { detail: string; errors: Array<{ field: string }> };
    assert.equal(problem.errors[0]?.field, 'config.subdomain');
    assert.ok(!JSON.stringify(problem).includes(token));

    const badName = await postJson(`${service.url}/v1/connections`, { name: 'Desk One', plugin: 'reviews', config: {} });
    assert.equal(badName.status, 422);

    const created = await postJson(`${service.url}/v1/connections`, { name: 'desk', plugin: 'zendesk', kind: 'source', config: { subdomain: 'acme', email: 'ops@acme.example', api_token: token } });
    assert.equal(created.status, 201);
    assert.equal(created.headers.get('location'), '/v1/connections/desk');
    const view = (await created.json()) as Record<string, unknown>;
    assert.deepEqual(view.secret_fields_set, ['api_token']);
    assert.equal((view.config as Record<string, unknown>).subdomain, 'acme');
    assert.ok(!JSON.stringify(view).includes(token));

    assert.equal((await postJson(`${service.url}/v1/connections`, { name: 'desk', plugin: 'reviews', config: { path: 'x.csv', preset: 'yelp' } })).status, 409);
    const list = await (await fetch(`${service.url}/v1/connections`)).text();
    const one = await (await fetch(`${service.url}/v1/connections/desk`)).text();
    assert.ok(list.includes('"desk"') && !list.includes(token));
    assert.ok(one.includes('"acme"') && !one.includes(token));

    // A job may not send the connection's credentials elsewhere by overriding where it points.
    const redirect = await postJson(`${service.url}/v1/jobs`, { task: 'ticket-triage', source: { connection: 'desk', config: { base_url: 'http://attacker.example' } } });
    assert.equal(redirect.status, 422);
    assert.match(((await redirect.json()) as { detail: string }).detail, /^source\.config\.base_url: cannot be overridden/);
    assert.equal(await service.database.db.selectFrom('jobs').select('id').executeTakeFirst(), undefined, 'no job was made');

    // At rest: the token is only in the sealed column, never in clear.
    const rows = await service.database.db.selectFrom('connections').selectAll().execute();
    assert.equal(rows.length, 1);
    assert.ok(!JSON.stringify(rows[0]?.config).includes(token));
    assert.ok(rows[0]?.secrets && !rows[0].secrets.includes(token) && rows[0].secrets.startsWith('v1:'));

    // A sink connection used by a job: the job keeps its own sealed copy.
    const sink = await postJson(`${service.url}/v1/connections`, { name: 'out', plugin: 'file', config: { path: 'via-connection.jsonl' } });
    assert.equal(sink.status, 201);
    const wrongKind = await postJson(`${service.url}/v1/jobs`, { task: 'review-insights', documents: [{ id: 'a', text: 'ok' }], sinks: [{ connection: 'desk' }] });
    assert.equal(wrongKind.status, 422);
    assert.match(((await wrongKind.json()) as { detail: string }).detail, /^sinks\.0\.connection: connection "desk" is a source, not a sink/);
    const jobRes = await postJson(`${service.url}/v1/jobs`, { task: 'review-insights', documents: [{ id: 'a', text: 'Great value.' }], sinks: [{ connection: 'out' }] });
    assert.equal(jobRes.status, 201);
    const job = await waitForJob(service.url, ((await jobRes.json()) as { id: string }).id);
    assert.equal(job.status, 'completed');
    assert.equal(fs.readFileSync(path.join(db.dataDir, 'via-connection.jsonl'), 'utf8').trim().split('\n').length, 1);

    assert.equal((await fetch(`${service.url}/v1/connections/desk`, { method: 'DELETE' })).status, 204);
    assert.equal((await fetch(`${service.url}/v1/connections/desk`)).status, 404);
    const missing = await postJson(`${service.url}/v1/jobs`, { task: 'ticket-triage', source: { connection: 'desk' } });
    assert.equal(missing.status, 422);
    assert.match(((await missing.json()) as { detail: string }).detail, /^source\.connection: connection "desk" does not exist/);
    const both = await postJson(`${service.url}/v1/jobs`, { task: 'ticket-triage', documents: [{ id: 'a', text: 'x' }], source: { plugin: 'reviews', config: {} } });
    assert.equal(both.status, 422);
  } finally {
    await service.close();
    await sim.close();
    await db.drop();
  }
});
