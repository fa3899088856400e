// Planning packs items under BATCH_MAX_REQUESTS and BATCH_MAX_BYTES, by the measured size of what is sent.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { batchRequests } from '../src/engine/batches/materialize.ts';
import { planBatches } from '../src/engine/batches/plan.ts';
import { startSimulator } from '../src/provider/simulator/index.ts';
import type { ResolvedTask } from '../src/tasks/types.ts';
import { createTestDatabase } from './helpers/database.ts';
import { postJson, testConfig } from './helpers/service.ts';
import { startService } from '../src/service.ts';
import { silentLogger } from '../src/logger.ts';
import { createProviderClient } from '../src/provider/client.ts';

test('batches stay under the byte limit as the serialized create body measures it, and under the request limit', async () => {
  const db = await createTestDatabase();
  const sim = await startSimulator();
  const config = testConfig(db, { BATCH_MAX_BYTES: '64KB', BATCH_MAX_REQUESTS: '40' });
  const service = await startService(config, { log: silentLogger(), provider: createProviderClient({ apiKey: 'k', baseURL: sim.url }), worker: false });
  try {
    // Documents of uneven size: some batches fill up by bytes, others by count.
    const documents = Array.from({ length: 150 }, (_, i) => ({ id: `d${i}`, text: 'lorem ipsum '.repeat(i % 3 === 0 ? 400 : 20) }));
    const res = await postJson(`${service.url}/v1/jobs`, { task: 'review-insights', documents });
    const { id } = (await res.json()) as { id: string };

    const planned = [];
    for (;;) {
      const batches = await planBatches(service.engine);
      if (batches.length === 0) break;
      planned.push(...batches);
    }
    assert.ok(planned.length >= 4, `${planned.length} batches`);
    const job = await service.database.db.selectFrom('jobs').select('task').where('id', '=', id).executeTakeFirstOrThrow();
    let items = 0;
    let byBytes = 0;
    for (const batch of planned) {
      const requests = [];
      for await (const r of batchRequests(service.database.db, service.engine.tag, batch.id, job.task as ResolvedTask)) requests.push(r);
      const body = Buffer.byteLength(JSON.stringify({ requests }));
      assert.ok(body <= config.BATCH_MAX_BYTES, `batch ${batch.id}: ${body} bytes > ${config.BATCH_MAX_BYTES}`);
      assert.ok(body <= batch.request_bytes, `the measure (${batch.request_bytes}) never under-counts the body (${body})`);
      assert.ok(requests.length <= 40);
      assert.equal(requests.length, batch.request_count);
      if (requests.length < 40) byBytes += 1;
      items += requests.length;
    }
    assert.equal(items, 150, 'every item planned exactly once');
    assert.ok(byBytes > 0, 'some batches were cut by size');
  } finally {
    await service.close();
    await sim.close();
    await db.drop();
  }
});
