// A job of support tickets triaged and written back into (a fake of) Zendesk through the real service:
// tags, a custom field and an internal note per ticket, the API token sealed at rest.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startSimulator } from '../src/provider/simulator/index.ts';
import { createTestDatabase } from './helpers/database.ts';
import { postJson, startTestService, waitForJob } from './helpers/service.ts';
import { startFakeZendesk } from './fakes/zendesk.ts';

test('ticket-triage results land on their Zendesk tickets through bulk update_many', async () => {
  const ticketIds = Array.from({ length: 150 }, (_, i) => 1000 + i);
  const zendesk = await startFakeZendesk({ tickets: ticketIds, email: 'agent@acme.test', apiToken: 'zd-token-secret-42' });
  const db = await createTestDatabase();
  const sim = await startSimulator({ processingMs: 50 });
  const service = await startTestService(db, sim.url);
  try {
    const documents = ticketIds.map((id) => ({ id: String(id), title: `Ticket ${id}`, text: 'I was charged twice for my subscription this month.' }));
    const sink = {
      plugin: 'zendesk',
      config: {
        base_url: zendesk.url,
        email: 'agent@acme.test',
        api_token: 'zd-token-secret-42',
        tags: { from: 'suggested_tags' },
        custom_fields: { '360001': 'priority' },
        internal_note: 'Batchline triage: {{output.category}} / {{output.priority}}. {{output.summary}}',
        poll_interval_ms: 20,
      },
    };
    const res = await postJson(`${service.url}/v1/jobs`, { task: 'ticket-triage', documents, sinks: [sink] });
    assert.equal(res.status, 201);
    const { id } = (await res.json()) as { id: string };
    const job = await waitForJob(service.url, id, 60_000);
    assert.equal(job.status, 'completed', JSON.stringify(job.deliveries));
    assert.equal(job.deliveries.delivered, 150);

    const results = (await (await fetch(`${service.url}/v1/jobs/${id}/results?limit=1000`)).json()) as { data: Array<{ external_id: string; output: { priority: string; suggested_tags: string[]; category: string } }> };
    for (const r of results.data) {
      const ticket = zendesk.tickets.get(Number(r.external_id));
      assert.ok(ticket);
      for (const tag of r.output.suggested_tags) assert.ok(ticket.tags.includes(tag.replace(/\s+/g, '_')), `ticket ${ticket.id} has tag ${tag}`);
      assert.deepEqual(ticket.custom_fields.find((f) => f.id === 360001)?.value, r.output.priority);
      const note = ticket.comments.at(-1);
      assert.ok(note && !note.public && note.body.startsWith(`Batchline triage: ${r.output.category} / ${r.output.priority}.`));
    }
    const updates = zendesk.requests.filter((r) => r.method === 'PUT' && r.path === '/api/v2/tickets/update_many.json');
    assert.ok(updates.length >= 2, 'at most 100 tickets per update_many');
    for (const u of updates) assert.ok(((u.body as { tickets: unknown[] }).tickets.length ?? 0) <= 100);
    const stored = await service.database.db.selectFrom('jobs').select('sinks').where('id', '=', id).executeTakeFirstOrThrow();
    assert.ok(!JSON.stringify(stored.sinks).includes('zd-token-secret-42'), 'the API token is sealed at rest');
  } finally {
    await service.close();
    await sim.close();
    await db.drop();
    await zendesk.close();
  }
});
