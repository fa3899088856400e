// Issue 16, as a support team sets Zendesk up: one connection for the account serves as source and sink,
// a ticket-triage job writes its triage back with no mapping, Batchline's own updates never come back as
// work (export or webhooks), a ticket seen twice in one export is processed once in its latest version,
// old `kind` connections keep working, and a mapping naming a field the output lacks is refused.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startSimulator, type Simulator } from '../src/provider/simulator/index.ts';
import type { Service } from '../src/service.ts';
import { startFakeZendesk, type Ticket } from './fakes/zendesk.ts';
import { createTestDatabase, type TestDatabase } from './helpers/database.ts';
import { startReceiver } from './helpers/receiver.ts';
import { postJson, startTestService, waitForJob } from './helpers/service.ts';

const EMAIL = 'lead@acme.example';
const TOKEN = 'zd-roundtrip-token-5Qe1';
const SIGNING_SECRET = 'c2lnbmluZyBzZWNyZXQgb2YgdGhlIHJvdW5kIHRyaXA=';

let db: TestDatabase;
let sim: Simulator;
let service: Service;

before(async () => {
  db = await createTestDatabase();
  sim = await startSimulator({ processingMs: 50 });
  // The test reads an item's stored text after it ended.
  service = await startTestService(db, sim.url, { BATCHLINE_TEXT_AT_REST: 'until_retention' });
});
after(async () => {
  await service.close();
  await sim.close();
  await db.drop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

async function resultsOf(jobId: string): Promise<Array<{ external_id: string; output: Triage }>> {
  return ((await (await fetch(`${service.url}/v1/jobs/${jobId}/results?limit=1000`)).json()) as { data: Array<{ external_id: string; output: Triage }> }).data;
}

interface Triage {
  category: string;
  priority: string;
  summary: string;
  suggested_tags: string[];
  needs_human: boolean;
}

const privateNotes = (t: Ticket) => t.comments.filter((c) => !c.public);

test('the two calls, verbatim, triage every ticket and write default tags and one private note back; the next job reads only what others changed', async () => {
  const zendesk = await startFakeZendesk({ email: EMAIL, apiToken: TOKEN, tickets: Array.from({ length: 30 }, (_, i) => ({ id: i + 1, description: `Order ${i + 1} arrived broken, I want a refund.` })) });
  const unroute = zendesk.routeSubdomain('acme');
  try {
    const connection = await postJson(`${service.url}/v1/connections`, { name: 'zd', plugin: 'zendesk', config: { subdomain: 'acme', email: EMAIL, api_token: TOKEN } });
    assert.equal(connection.status, 201, await connection.clone().text());
    const view = (await connection.json()) as { kind: string | null; roles: string[] };
    assert.deepEqual([view.kind, view.roles], [null, ['source', 'sink']]);
    assert.deepEqual(((await (await fetch(`${service.url}/v1/connections/zd`)).json()) as { roles: string[] }).roles, ['source', 'sink'], 'GET shows the roles');

    const body = { source: { connection: 'zd' }, task: 'ticket-triage', sinks: [{ connection: 'zd' }] };
    const created = await postJson(`${service.url}/v1/jobs`, body);
    assert.equal(created.status, 201, await created.clone().text());
    const first = await waitForJob(service.url, ((await created.json()) as { id: string }).id);
    assert.equal(first.status, 'completed', JSON.stringify(first.deliveries));
    assert.equal(first.counts.succeeded, 30);
    assert.equal(first.deliveries.delivered, 30);

    for (const result of await resultsOf(first.id)) {
      const ticket = zendesk.tickets.get(Number(result.external_id));
      assert.ok(ticket);
      const expected = ['batchline_triaged', `batchline_category_${result.output.category}`, `batchline_priority_${result.output.priority}`, ...result.output.suggested_tags.map((t) => `batchline_${t}`)];
      assert.deepEqual([...ticket.tags].sort(), [...new Set(expected)].sort(), `ticket ${ticket.id} tags`);
      for (const tag of ticket.tags) assert.match(tag, /^[a-z0-9_]+$/, 'a valid, lowercase Zendesk tag');
      const notes = privateNotes(ticket);
      assert.equal(notes.length, 1, `ticket ${ticket.id} has one private note`);
      assert.ok(notes[0]?.body.includes(result.output.summary));
      assert.match(notes[0]?.body ?? '', new RegExp(`Needs a human: ${result.output.needs_human ? 'yes' : 'no'}$`));
      assert.deepEqual([ticket.priority, ticket.status, ticket.group_id], [null, 'open', null], 'nothing that routes the ticket was changed');
      assert.equal(ticket.comments.filter((c) => c.public).length, 0, 'nothing public was posted');
    }

    // Others change some tickets after Batchline's write-back (three seconds later: past its window, even
    // with Zendesk's updated_at rounded to the second); and new tickets come in.
    zendesk.advanceClock(3000);
    zendesk.addComment(4, { body: 'Any news on my refund?' });
    zendesk.addComment(17, { body: 'It broke again.', author_id: 4242 });
    const added = Array.from({ length: 5 }, (_, i) => zendesk.addTicket({ subject: `New ${i}`, description: `My login fails on device ${i}` }).id);

    const again = await postJson(`${service.url}/v1/jobs`, body);
    const second = await waitForJob(service.url, ((await again.json()) as { id: string }).id);
    assert.equal(second.status, 'completed');
    assert.deepEqual(
      (await resultsOf(second.id)).map((r) => r.external_id).sort(),
      ['4', '17', ...added.map(String)].sort(),
      "only the tickets changed by someone other than Batchline: its own 30 updates are not work",
    );
    assert.ok(zendesk.requests.some((r) => r.path === '/api/v2/incremental/tickets/cursor.json' && r.query.cursor), 'the second job resumed from the cursor');
    assert.equal(privateNotes(zendesk.tickets.get(4) as Ticket).length, 2, 'the changed ticket was triaged again');
  } finally {
    unroute();
    await zendesk.close();
  }
});

test('a stream job with write-back processes 50 new tickets once each; its own updates come back as webhooks and are ignored', async () => {
  const zendesk = await startFakeZendesk({ email: EMAIL, apiToken: TOKEN });
  const unroute = zendesk.routeSubdomain('acme-stream');
  try {
    const connection = await postJson(`${service.url}/v1/connections`, { name: 'zd-stream', plugin: 'zendesk', config: { subdomain: 'acme-stream', email: EMAIL, api_token: TOKEN, webhook_secret: SIGNING_SECRET, poll_interval_ms: 100 } });
    assert.equal(connection.status, 201, await connection.clone().text());
    zendesk.sendWebhooks(`${service.url}/v1/connections/zd-stream/webhook`, SIGNING_SECRET);
    const created = await postJson(`${service.url}/v1/jobs`, { task: 'ticket-triage', source: { connection: 'zd-stream', config: { stream: true } }, sinks: [{ connection: 'zd-stream' }] });
    assert.equal(created.status, 201, await created.clone().text());
    const { id } = (await created.json()) as { id: string };
    await until('the stream job to open', async () => ((await (await fetch(`${service.url}/v1/jobs/${id}`)).json()) as { status: string }).status === 'running');
    const submittedBefore = sim.stats().requestsSubmitted;

    const ids = Array.from({ length: 50 }, (_, i) => zendesk.addTicket({ subject: `Stream ${i}`, description: `Charged twice for invoice ${i}` }).id);
    await until('every ticket written back', () => ids.every((t) => privateNotes(zendesk.tickets.get(t) as Ticket).length > 0), 45_000);
    // Let the webhooks about Batchline's own updates arrive and be answered, and the worker catch up.
    await zendesk.webhooksSettled();
    await sleep(500);

    const own = zendesk.webhooks.filter((w) => w.actorId === 9999);
    assert.ok(own.length >= 50, `Zendesk sent a webhook for each of Batchline's updates (${own.length})`);
    for (const hook of own) assert.deepEqual([hook.status, hook.answer], [202, { documents: 0, jobs: 0, queued: 0, ignored: 1 }], `${hook.type} of ticket ${hook.ticketId}`);
    const created50 = zendesk.webhooks.filter((w) => w.type === 'created');
    assert.equal(created50.length, 50);
    for (const hook of created50) assert.deepEqual(hook.answer, { documents: 1, jobs: 1, queued: 1 });

    const view = (await (await fetch(`${service.url}/v1/jobs/${id}`)).json()) as { counts: { total: number } };
    assert.equal(view.counts.total, 50, '0 extra items');
    assert.equal(sim.stats().requestsSubmitted - submittedBefore, 50, '0 extra requests at the simulator');
    for (const t of ids) assert.equal(privateNotes(zendesk.tickets.get(t) as Ticket).length, 1, `ticket ${t} noted once`);

    assert.equal((await fetch(`${service.url}/v1/jobs/${id}/close`, { method: 'POST' })).status, 202);
    const job = await waitForJob(service.url, id);
    assert.equal(job.status, 'completed');
    assert.equal(job.deliveries.delivered, 50);
  } finally {
    unroute();
    await zendesk.close();
  }
});

test('a ticket the export returns twice within one job is processed once, in its later version', async () => {
  const zendesk = await startFakeZendesk({ email: EMAIL, apiToken: TOKEN, tickets: Array.from({ length: 12 }, (_, i) => ({ id: i + 1, description: `First words of ticket ${i + 1}.` })) });
  try {
    // Ticket 2 (first page) changes while the export is on its second page: the export lists it again later.
    zendesk.onExportPage((page) => {
      if (page === 2) zendesk.touchTicket(2, { description: 'Later version: the parcel never arrived.', priority: 'urgent' });
    });
    const submittedBefore = sim.stats().requestsSubmitted;
    const created = await postJson(`${service.url}/v1/jobs`, {
      task: 'ticket-triage',
      source: { plugin: 'zendesk', config: { base_url: zendesk.url, email: EMAIL, api_token: TOKEN, per_page: 5 } },
    });
    assert.equal(created.status, 201, await created.clone().text());
    const job = await waitForJob(service.url, ((await created.json()) as { id: string }).id);
    assert.equal(job.status, 'completed');
    const listings = zendesk.requests.filter((r) => r.path === '/api/v2/incremental/tickets/cursor.json').length;
    assert.ok(listings >= 3, 'several export pages');
    assert.equal(job.counts.total, 12, 'once');
    assert.equal(sim.stats().requestsSubmitted - submittedBefore, 12, 'sent once');
    const item = await service.database.db.selectFrom('items').select('document').where('job_id', '=', job.id).where('external_id', '=', '2').executeTakeFirstOrThrow();
    const document = item.document as { text: string; metadata: { priority?: string } };
    assert.match(document.text, /Later version: the parcel never arrived\./, 'in its later version');
    assert.equal(document.metadata.priority, 'urgent');
  } finally {
    await zendesk.close();
  }
});

test('a ticket that changes while its first version is at the provider is answered and delivered once, in its later version', async () => {
  // Batches go out while the export is read (5 per batch, at once), and stay at the provider a while.
  const slowSim = await startSimulator({ processingMs: 1500 });
  const ownDb = await createTestDatabase();
  const cutting = await startTestService(ownDb, slowSim.url, { BATCHLINE_TEXT_AT_REST: 'until_retention', BATCHLINE_BATCH_CUT_REQUESTS: '5', BATCHLINE_BATCH_CUT_MS: '0' });
  const zendesk = await startFakeZendesk({ email: EMAIL, apiToken: TOKEN, tickets: Array.from({ length: 12 }, (_, i) => ({ id: i + 1, description: `First words of ticket ${i + 1}.` })) });
  const receiver = await startReceiver();
  try {
    const itemOf = (jobId: string) => cutting.database.db.selectFrom('items').select(['status', 'attempts', 'document']).where('job_id', '=', jobId).where('external_id', '=', '2').executeTakeFirst();
    let jobId = '';
    zendesk.onExportPage(async (page) => {
      if (page !== 2) return;
      await until('ticket 2 at the provider', async () => (await itemOf(jobId))?.status === 'submitted');
      zendesk.advanceClock(2000);
      zendesk.touchTicket(2, { description: 'Later version: the parcel never arrived.', priority: 'urgent' });
    });
    const created = await postJson(`${cutting.url}/v1/jobs`, {
      task: 'ticket-triage',
      source: { plugin: 'zendesk', config: { base_url: zendesk.url, email: EMAIL, api_token: TOKEN, per_page: 5 } },
      sinks: [{ plugin: 'http', config: { url: receiver.url } }],
    });
    assert.equal(created.status, 201, await created.clone().text());
    jobId = ((await created.json()) as { id: string }).id;
    const job = await waitForJob(cutting.url, jobId, 60_000);
    zendesk.onExportPage(undefined);
    assert.deepEqual([job.status, job.counts.total, job.counts.succeeded, job.deliveries.delivered], ['completed', 12, 12, 12], JSON.stringify(job));
    // The first version's answer was billed (13 requests), but only the later one's was delivered.
    assert.equal(slowSim.stats().requestsSubmitted, 13);
    const item = await itemOf(jobId);
    assert.equal(item?.attempts, 2);
    assert.match((item?.document as { text: string }).text, /Later version: the parcel never arrived\./);
    const delivered = receiver.requests.flatMap((r) => (JSON.parse(r.body) as { results?: Array<{ external_id: string }> }).results ?? [JSON.parse(r.body) as { external_id: string }]);
    assert.equal(delivered.filter((r) => r.external_id === '2').length, 1, 'ticket 2 delivered once');
  } finally {
    await receiver.close();
    await zendesk.close();
    await cutting.close();
    await slowSim.close();
    await ownDb.drop();
  }
});

test('a connection with kind "source" still reads, and is refused as a sink with a 422 naming it', async () => {
  const zendesk = await startFakeZendesk({ email: EMAIL, apiToken: TOKEN, tickets: [1, 2, 3] });
  try {
    const legacy = await postJson(`${service.url}/v1/connections`, { name: 'zd-legacy', plugin: 'zendesk', kind: 'source', config: { base_url: zendesk.url, email: EMAIL, api_token: TOKEN } });
    assert.equal(legacy.status, 201);
    assert.deepEqual(((await legacy.json()) as { roles: string[] }).roles, ['source']);
    const read = await postJson(`${service.url}/v1/jobs`, { task: 'ticket-triage', source: { connection: 'zd-legacy' } });
    assert.equal((await waitForJob(service.url, ((await read.json()) as { id: string }).id)).counts.succeeded, 3);

    const jobsBefore = (await service.database.db.selectFrom('jobs').select('id').execute()).length;
    const asSink = await postJson(`${service.url}/v1/jobs`, { task: 'ticket-triage', source: { connection: 'zd-legacy' }, sinks: [{ connection: 'zd-legacy' }] });
    assert.equal(asSink.status, 422);
    const problem = (await asSink.json()) as { detail: string; errors: Array<{ field: string }> };
    assert.equal(problem.errors[0]?.field, 'sinks.0.connection');
    assert.match(problem.detail, /connection "zd-legacy" is a source, not a sink: it was created with kind "source"/);
    assert.equal((await service.database.db.selectFrom('jobs').select('id').execute()).length, jobsBefore, 'nothing was made');
  } finally {
    await zendesk.close();
  }
});

test('bad sink mappings are refused at job creation with a 422 naming the field; a custom task is shown an example', async () => {
  const connection = await postJson(`${service.url}/v1/connections`, { name: 'zd-mapping', plugin: 'zendesk', config: { subdomain: 'acme', email: EMAIL, api_token: TOKEN } });
  assert.equal(connection.status, 201);
  const documents = [{ id: '1', text: 'Refund please' }];
  const refused = async (sinkConfig: Record<string, unknown>, task: unknown = 'ticket-triage') => {
    const res = await postJson(`${service.url}/v1/jobs`, { task, documents, sinks: [{ connection: 'zd-mapping', config: sinkConfig }] });
    assert.equal(res.status, 422, JSON.stringify(sinkConfig));
    const problem = (await res.json()) as { detail: string; errors: Array<{ field: string }> };
    assert.ok(!problem.detail.includes(TOKEN));
    return { field: problem.errors[0]?.field, detail: problem.detail };
  };
  const jobsBefore = (await service.database.db.selectFrom('jobs').select('id').execute()).length;

  const customField = await refused({ custom_fields: { '360001': 'categroy' } });
  assert.equal(customField.field, 'sinks.0.config.custom_fields.360001');
  assert.match(customField.detail, /"categroy" is not in the output of task "ticket-triage"; its fields: category, priority/);
  assert.equal((await refused({ internal_note: 'Triage: {{output.sumary}}' })).field, 'sinks.0.config.internal_note');
  assert.equal((await refused({ tags: ['triaged', { from: 'suggested.tags' }] })).field, 'sinks.0.config.tags.1.from');
  assert.equal((await refused({ ticket_fields: { priority: 'urgency' } })).field, 'sinks.0.config.ticket_fields.priority');
  assert.equal((await refused({ intenal_note: 'typo' })).field, 'sinks.0.config.intenal_note', 'an unknown field is named, not dropped');

  const custom = { name: 'language', prompt: 'Language of: {{text}}', output_schema: { type: 'object', properties: { language: { type: 'string' } }, required: ['language'] } };
  const nothing = await refused({}, custom);
  assert.equal(nothing.field, 'sinks.0.config.tags');
  assert.match(nothing.detail, /nothing to write for task "language": .* e\.g\. \{"tags":\[\{"from":"language"/);
  assert.equal((await refused({ custom_fields: { '360001': 'lang' } }, custom)).field, 'sinks.0.config.custom_fields.360001');
  assert.equal((await service.database.db.selectFrom('jobs').select('id').execute()).length, jobsBefore, 'no job was made');

  // The same mapping with the right field names is taken (a dry run: acme.zendesk.com is not reachable from here).
  const ok = await postJson(`${service.url}/v1/jobs?dry_run=true`, { task: custom, documents, sinks: [{ connection: 'zd-mapping', config: { tags: [{ from: 'language', prefix: 'lang_' }] } }] });
  assert.equal(ok.status, 200, await ok.clone().text());
  assert.equal(((await ok.json()) as { dry_run: boolean }).dry_run, true);
});
