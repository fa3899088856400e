// Redaction before sending (issue #17): a job with `redact` sends the simulator prompts that hold no e-mail
// address, phone number, IBAN or card number of 200 tickets, with every other word as it was; the counts
// are kept per item, and what was masked is stored nowhere.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startSimulator } from '../src/provider/simulator/index.ts';
import { createTestDatabase } from './helpers/database.ts';
import { rowsHolding } from './helpers/marker-search.ts';
import { postJson, startTestService, waitForJob } from './helpers/service.ts';
import { maskedText, piiTickets, piiValues, ticketText } from './fixtures/tickets-pii.ts';

interface SentParams {
  messages: Array<{ content: Array<{ type: string; text?: string }> }>;
}

test('redact: the prompts the provider receives hold none of the personal data of 200 tickets, and every other word unchanged', async () => {
  const db = await createTestDatabase();
  const sim = await startSimulator({ processingMs: 50 });
  const service = await startTestService(db, sim.url, { BATCHLINE_TEXT_AT_REST: 'until_retention' });
  const tickets = piiTickets(200);
  try {
    const res = await postJson(`${service.url}/v1/jobs`, {
      task: 'ticket-triage',
      redact: ['email', 'phone', 'card', 'iban'],
      documents: tickets.map((t) => ({ id: t.id, text: ticketText(t) })),
    });
    assert.equal(res.status, 201, await res.clone().text());
    const created = (await res.json()) as { id: string; redact: string[] | null };
    assert.deepEqual(created.redact, ['email', 'phone', 'card', 'iban']);
    const job = await waitForJob(service.url, created.id, 30_000);
    assert.equal(job.status, 'completed');

    const prompts = [...sim.submitted()].map((r) => ((r.params as unknown as SentParams).messages[0]?.content ?? []).map((b) => b.text ?? '').join('\n'));
    assert.equal(prompts.length, 200);
    const everything = prompts.join('\n');
    let values = 0;
    for (const ticket of tickets) {
      for (const { kind, value } of piiValues(ticket)) {
        values += 1;
        assert.ok(!everything.includes(value), `${ticket.id}: the ${kind} ${value} reached the provider`);
      }
      assert.ok(
        prompts.some((p) => p.includes(`<conversation>\n${maskedText(ticket)}\n</conversation>`)),
        `${ticket.id}: the prompt is the text with only its personal data masked:\n  ${maskedText(ticket)}`,
      );
    }
    assert.ok(values >= 500, `${values} personal values in the fixture`);

    // Per item: how many of each kind were masked. The values themselves are stored nowhere.
    const items = await service.database.db.selectFrom('items').select(['external_id', 'document']).where('job_id', '=', created.id).execute();
    for (const item of items) {
      const ticket = tickets.find((t) => t.id === item.external_id);
      assert.ok(ticket);
      const expected: Record<string, number> = {};
      for (const { kind } of piiValues(ticket)) expected[kind] = (expected[kind] ?? 0) + 1;
      assert.deepEqual((item.document as { redactions?: unknown }).redactions, expected, item.external_id);
    }
    for (const ticket of tickets.slice(0, 4)) {
      for (const { value } of piiValues(ticket)) assert.deepEqual(await rowsHolding(service.database.db, value), {}, `${value} is stored nowhere`);
    }
  } finally {
    await service.close();
    await sim.close();
    await db.drop();
  }
});
