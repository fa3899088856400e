// Acceptance for the invoices source: a real-world folder (PDFs, images, UBL XML, an oversized PDF, a
// junk file) gives 6 results and 2 failed items with reasons; paths outside the roots are refused; a
// watched folder takes files that arrive later, each exactly once, until the job is closed.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { minimalPdf, writeInvoiceFolder } from '../plugins/invoices/fixtures.ts';
import { startSimulator } from '../src/provider/simulator/index.ts';
import { createTestDatabase } from './helpers/database.ts';
import { postJson, startTestService, waitForJob } from './helpers/service.ts';

interface ResultBody {
  external_id: string;
  status: string;
  error: { type: string; message: string } | null;
  metadata: Record<string, unknown> | null;
}

test('an invoice folder gives 6 results and 2 failed items with reasons; /etc is refused', async () => {
  const db = await createTestDatabase();
  const sim = await startSimulator({ processingMs: 50 });
  const service = await startTestService(db, sim.url);
  try {
    const folder = path.join(db.dataDir, 'invoices');
    fs.mkdirSync(folder);
    writeInvoiceFolder(folder);

    const refused = await postJson(`${service.url}/v1/jobs`, { task: 'invoice-extraction', source: { plugin: 'invoices', config: { path: '/etc' } } });
    assert.equal(refused.status, 422);
    assert.match(((await refused.json()) as { detail: string }).detail, /^source\.config\.path: /);
    const escape = await postJson(`${service.url}/v1/jobs`, { task: 'invoice-extraction', source: { plugin: 'invoices', config: { path: '../../..' } } });
    assert.equal(escape.status, 422);

    const res = await postJson(`${service.url}/v1/jobs`, { task: 'invoice-extraction', source: { plugin: 'invoices', config: { path: 'invoices' } } });
    assert.equal(res.status, 201, await res.clone().text());
    const { id } = (await res.json()) as { id: string };
    const job = await waitForJob(service.url, id);
    assert.equal(job.status, 'completed_with_errors');
    assert.equal(job.counts.succeeded, 6, JSON.stringify(job.counts));
    assert.equal(job.counts.failed, 2);

    const results = ((await (await fetch(`${service.url}/v1/jobs/${id}/results`)).json()) as { data: ResultBody[] }).data;
    const failed = results.filter((r) => r.status === 'failed');
    assert.deepEqual(failed.map((r) => r.error?.type).sort(), ['too_many_pages', 'unsupported_file']);
    assert.ok(failed.every((r) => r.error && r.error.message.length > 10));

    // What was sent: PDFs as document blocks, images as image blocks, the XML as text; never the failed two.
    const blocks = [...sim.submitted()].flatMap((r) => (r.params.messages as Array<{ content: Array<{ type: string; source?: { media_type?: string } }> }>)[0]?.content ?? []);
    assert.equal(blocks.filter((b) => b.type === 'document' && b.source?.media_type === 'application/pdf').length, 3);
    assert.equal(blocks.filter((b) => b.type === 'image').length, 2);
    assert.equal(sim.stats().requestsSubmitted, 6);
    // The database keeps the path and hash, never the bytes.
    const docs = await service.database.db.selectFrom('items').select('document').where('job_id', '=', id).execute();
    assert.ok(docs.every((d) => JSON.stringify(d.document).length < 20_000));
  } finally {
    await service.close();
    await sim.close();
    await db.drop();
  }
});

test('a watched folder takes files that arrive later, each exactly once, until the job is closed', async () => {
  const db = await createTestDatabase();
  const sim = await startSimulator({ processingMs: 50 });
  const service = await startTestService(db, sim.url);
  try {
    const folder = path.join(db.dataDir, 'inbox');
    fs.mkdirSync(folder);
    fs.writeFileSync(path.join(folder, 'a.pdf'), minimalPdf(1, 'Invoice A-1 total 10.00 EUR'));
    const res = await postJson(`${service.url}/v1/jobs`, { task: 'invoice-extraction', source: { plugin: 'invoices', config: { path: 'inbox', watch: true, watch_interval_ms: 200 } } });
    const { id } = (await res.json()) as { id: string };
    await waitFor(async () => (await jobOf(service.url, id)).counts.succeeded === 1);
    assert.equal((await jobOf(service.url, id)).status, 'running', 'a watching job stays open');

    fs.writeFileSync(path.join(folder, 'b.pdf'), minimalPdf(2, 'Invoice B-2 total 20.00 EUR'));
    fs.writeFileSync(path.join(folder, 'b-copy.pdf'), minimalPdf(2, 'Invoice B-2 total 20.00 EUR')); // same content, other name
    await waitFor(async () => (await jobOf(service.url, id)).counts.succeeded === 2);
    await new Promise((r) => setTimeout(r, 600)); // several more rescans: nothing new
    assert.equal((await jobOf(service.url, id)).counts.total, 2);

    const close = await fetch(`${service.url}/v1/jobs/${id}/close`, { method: 'POST' });
    assert.equal(close.status, 202);
    const job = await waitForJob(service.url, id);
    assert.equal(job.status, 'completed');
    assert.equal(job.counts.succeeded, 2);
    assert.equal(sim.stats().requestsSubmitted, 2);
    assert.equal((await fetch(`${service.url}/v1/jobs/${id}/close`, { method: 'POST' })).status, 409);
  } finally {
    await service.close();
    await sim.close();
    await db.drop();
  }
});

async function jobOf(url: string, id: string): Promise<{ status: string; counts: Record<string, number> }> {
  return (await (await fetch(`${url}/v1/jobs/${id}`)).json()) as { status: string; counts: Record<string, number> };
}

async function waitFor(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('condition not met in time');
}
