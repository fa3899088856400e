// Acceptance for the reviews source: a 2,000-row Google Play export (UTF-16, quoted multi-line texts)
// runs end to end with the rating in every prompt; broken rows become failed items with their row
// number; a read killed mid-way resumes without a duplicate.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { writeGooglePlayCsv } from '../plugins/reviews/fixtures.ts';
import { startSimulator } from '../src/provider/simulator/index.ts';
import { createTestDatabase } from './helpers/database.ts';
import { postJson, spawnService, startTestService, testEnv, waitForJob } from './helpers/service.ts';

const reviews = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    reviewId: `gp:AOqpTO${String(i).padStart(6, '0')}`,
    rating: (i % 5) + 1,
    title: i % 3 === 0 ? `Title ${i}` : '',
    // Every seventh text spans lines and holds commas and quotes, as real exports do.
    text: i % 7 === 0 ? `Review ${i}: first line, with a comma\nsecond line with "quotes"\nthird line` : `Review ${i}: works fine on my phone`,
    date: new Date(Date.UTC(2026, 9, 1) + i * 60_000).toISOString().replace('.000', ''),
  }));

test('a 2,000-row Google Play export completes with 2,000 results whose prompts carried the rating', async () => {
  const db = await createTestDatabase();
  const sim = await startSimulator({ processingMs: 50 });
  const service = await startTestService(db, sim.url, { BATCH_MAX_REQUESTS: '1000' });
  try {
    writeGooglePlayCsv(path.join(db.dataDir, 'reviews_com.example.app_202610.csv'), reviews(2000));
    const res = await postJson(`${service.url}/v1/jobs`, {
      task: 'review-insights',
      source: { plugin: 'reviews', config: { path: 'reviews_com.example.app_202610.csv', preset: 'google-play' } },
      sinks: [{ plugin: 'file', config: { path: 'play.jsonl' } }],
    });
    assert.equal(res.status, 201, await res.clone().text());
    const { id } = (await res.json()) as { id: string };
    const job = await waitForJob(service.url, id, 60_000);
    if (job.status !== 'completed') {
      // Say why: the failed items' errors, not only the status.
      const failed = await (await fetch(`${service.url}/v1/jobs/${id}/results?status=failed&limit=5`)).text();
      assert.fail(`job ${job.status}: ${JSON.stringify(job)}; failed items: ${failed}`);
    }
    assert.equal(job.counts.total, 2000);
    assert.equal(job.counts.succeeded, 2000);
    assert.equal(fs.readFileSync(path.join(db.dataDir, 'play.jsonl'), 'utf8').trim().split('\n').length, 2000);

    const prompts = [...sim.submitted()].map((r) => promptText(r.params));
    assert.equal(prompts.length, 2000);
    assert.ok(prompts.every((p) => /"rating":[1-5]/.test(p)), 'every prompt carries the star rating');
    const multiLine = prompts.find((p) => p.includes('Review 14: first line'));
    assert.ok(multiLine?.includes('second line with "quotes"\nthird line') && multiLine.includes('"rating":5'), multiLine);
    const results = (await (await fetch(`${service.url}/v1/jobs/${id}/results?limit=5`)).json()) as { data: Array<{ external_id: string; metadata: Record<string, unknown> }> };
    assert.equal(results.data[0]?.external_id, 'gp:AOqpTO000000');
  } finally {
    await service.close();
    await sim.close();
    await db.drop();
  }
});

test('ragged and broken rows become failed items naming their row; the rest of the file runs', async () => {
  const db = await createTestDatabase();
  const sim = await startSimulator({ processingMs: 50 });
  const service = await startTestService(db, sim.url);
  try {
    const csv = [
      'review_id,stars,review_text',
      'a1,5,"Great, fast shipping"',
      'a2,4,too,many,fields',
      'a3,2,"Broke after a week',
      'and the seller never answered"',
      'a4,1,"Bad "quote" in the middle"x',
      'a5,3,Average',
      'a5,3,Average',
    ].join('\n');
    fs.writeFileSync(path.join(db.dataDir, 'mixed.csv'), csv);
    const res = await postJson(`${service.url}/v1/jobs`, {
      task: 'review-insights',
      source: { plugin: 'reviews', config: { path: 'mixed.csv', columns: { id: 'review_id', text: 'review_text', rating: 'stars' } } },
    });
    assert.equal(res.status, 201, await res.clone().text());
    const { id } = (await res.json()) as { id: string };
    const job = await waitForJob(service.url, id);
    assert.equal(job.status, 'completed_with_errors');
    assert.equal(job.counts.succeeded, 3, JSON.stringify(job.counts)); // a1, a3 (multi-line), a5 once
    assert.ok(job.counts.failed >= 1);
    const failed = (await (await fetch(`${service.url}/v1/jobs/${id}/results?status=failed`)).json()) as { data: Array<{ external_id: string; error: { type: string; message: string } }> };
    assert.ok(failed.data.some((r) => r.error.type === 'invalid_row' && /^row 2\b/.test(r.error.message)), JSON.stringify(failed.data));
    const view = (await (await fetch(`${service.url}/v1/jobs/${id}`)).json()) as { source: { plugin: string; read: number; rejected: number } };
    assert.equal(view.source.plugin, 'reviews');
    assert.equal(view.source.rejected, job.counts.failed);
  } finally {
    await service.close();
    await sim.close();
    await db.drop();
  }
});

test('a source read killed after its first chunk resumes on restart without duplicating a document', async () => {
  const db = await createTestDatabase();
  const sim = await startSimulator({ processingMs: 50 });
  try {
    writeGooglePlayCsv(path.join(db.dataDir, 'big.csv'), reviews(12_000));
    const env = { ...testEnv(db, { ANTHROPIC_API_KEY: 'test-key', ANTHROPIC_BASE_URL: sim.url, BATCH_MAX_REQUESTS: '5000' }) };
    const first = await spawnService({ ...env, BATCHLINE_CRASH_AT: 'after_source_chunk' });
    const res = await postJson(`${first.url}/v1/jobs`, { task: 'review-insights', source: { plugin: 'reviews', config: { path: 'big.csv', preset: 'google-play' } } });
    const { id } = (await res.json()) as { id: string };
    const died = await first.exited;
    assert.equal(died.signal, 'SIGKILL');

    const second = await spawnService({ ...env, BATCHLINE_LEASE_MS: '3000' });
    try {
      const job = await waitForJob(second.url, id, 90_000);
      assert.equal(job.status, 'completed');
      assert.equal(job.counts.total, 12_000);
      assert.equal(job.counts.succeeded, 12_000);
      assert.equal(sim.stats().requestsSubmitted, 12_000, 'each review submitted once');
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
  } finally {
    await sim.close();
    await db.drop();
  }
});

/** The text blocks of a request's user message, joined. */
function promptText(params: Record<string, unknown>): string {
  const messages = params.messages as Array<{ content: Array<{ type: string; text?: string }> }>;
  return messages.flatMap((m) => m.content.map((b) => b.text ?? '')).join('\n');
}
