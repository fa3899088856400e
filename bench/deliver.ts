// Delivery benchmark (issue #4): N final results of one job delivered to the file sink (JSONL) and to a
// local HTTP receiver (batches of 100), each timed on its own. Results are made directly in the database
// (no provider involved) so the figure is the outbox's and the sink's alone.
// Usage: tsx bench/deliver.ts <N>   (DATABASE_URL → a fresh Postgres database; else PGlite)
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { deliverDue } from '../src/engine/delivery/deliver.ts';
import { enqueueDeliveries } from '../src/engine/transitions.ts';
import { createTestDatabase } from '../test/helpers/database.ts';
import { mb, startBenchService } from './context.ts';

const n = Number(process.argv[2] ?? 100_000);
const receiver = spawn(process.execPath, ['--import', 'tsx', 'bench/receiver.ts'], { stdio: ['ignore', 'pipe', 'inherit'] });
const receiverUrl = await new Promise<string>((resolve) => receiver.stdout.on('data', (c: Buffer) => {
  const m = /listening on (\S+)/.exec(c.toString());
  if (m?.[1]) resolve(m[1]);
}));
const database = await createTestDatabase();
const service = await startBenchService(database, 'http://127.0.0.1:9');
const ctx = service.engine;
try {
  for (const [label, sink] of [
    ['file', { plugin: 'file', config: { path: 'bench-out.jsonl' } }],
    ['http', { plugin: 'http', config: { url: `${receiverUrl}/hook`, batch_size: 100 } }],
  ] as const) {
    const documents = Array.from({ length: n }, (_, i) => ({ id: `${label}-${i}`, text: `document ${i}` }));
    const res = await fetch(`${service.url}/v1/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ task: 'review-insights', documents, sinks: [sink] }) });
    const { id } = (await res.json()) as { id: string };
    // Every item succeeded on its first attempt, with a typical answer.
    await sql`UPDATE items SET status = 'succeeded', attempts = 1 WHERE job_id = ${id}`.execute(ctx.db);
    await sql`INSERT INTO results (item_id, attempt, job_id, batch_id, outcome, output, input_tokens, output_tokens)
      SELECT id, 1, job_id, 0, 'succeeded', ${JSON.stringify({ sentiment: 'positive', score: 4, key_points: ['fast delivery', 'works'], issues: [], summary: 'A happy customer.' })}::jsonb, 120, 40
      FROM items WHERE job_id = ${id}`.execute(ctx.db);
    const ids = (await ctx.db.selectFrom('items').select('id').where('job_id', '=', id).execute()).map((r) => r.id);
    await enqueueDeliveries(ctx.db, ctx.tag, id, ids);

    const t = performance.now();
    while ((await deliverDue(ctx)) > 0);
    const ms = performance.now() - t;
    const delivered = Number((await ctx.db.selectFrom('deliveries').select((eb) => eb.fn.countAll<number>().as('n')).where('job_id', '=', id).where('status', '=', 'delivered').executeTakeFirstOrThrow()).n);
    console.log(JSON.stringify({ sink: label, n, database: service.database.kind, delivered, ms: Math.round(ms), results_per_s: Math.round(delivered / (ms / 1000)), peak_rss_mb: mb(process.resourceUsage().maxRSS * 1024) }));
  }
  const lines = fs.readFileSync(path.join(database.dataDir, 'bench-out.jsonl'), 'utf8').split('\n').filter(Boolean).length;
  const received = Number(await (await fetch(`${receiverUrl}/count`)).text());
  console.log(JSON.stringify({ file_lines: lines, http_results_received: received }));
} finally {
  await service.close();
  await database.drop();
  receiver.kill('SIGTERM');
}
