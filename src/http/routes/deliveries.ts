// GET /v1/jobs/{id}/deliveries (the outbox, filterable by state) and POST /v1/jobs/{id}/deliveries/replay.
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { sql } from 'kysely';
import { replayDeliveries } from '../../engine/replay.ts';
import { AppError } from '../../errors.ts';
import type { StoredSink } from '../../plugins/stored-config.ts';
import type { AppDeps } from '../deps.ts';
import { JobIdParam, PageQuery, parseIdCursor, problemResponses } from '../schemas.ts';

const DeliverySchema = z
  .object({
    id: z.string(),
    item_id: z.string(),
    external_id: z.string(),
    sink_index: z.number().int(),
    sink: z.string(),
    idempotency_key: z.string(),
    status: z.enum(['pending', 'delivered', 'retry_wait', 'dead']),
    attempts: z.number().int(),
    last_error: z.object({ type: z.string(), message: z.string() }).nullable(),
    next_run_at: z.string().nullable(),
    delivered_at: z.string().nullable(),
  })
  .openapi('Delivery');

const list = createRoute({
  method: 'get',
  path: '/v1/jobs/{id}/deliveries',
  tags: ['deliveries'],
  summary: "A job's deliveries (one per final result and sink), filterable by state",
  security: [{ bearer: [] }],
  request: { params: JobIdParam, query: PageQuery.extend({ status: z.enum(['pending', 'delivered', 'retry_wait', 'dead']).optional() }) },
  responses: {
    200: { description: 'A page of deliveries', content: { 'application/json': { schema: z.object({ data: z.array(DeliverySchema), next_cursor: z.string().nullable() }) } } },
    ...problemResponses(401, 404, 422),
  },
});

const replay = createRoute({
  method: 'post',
  path: '/v1/jobs/{id}/deliveries/replay',
  tags: ['deliveries'],
  summary: 'Deliver again: the dead deliveries (default), or all of them; idempotency keys stay the same',
  security: [{ bearer: [] }],
  request: {
    params: JobIdParam,
    body: { required: false, content: { 'application/json': { schema: z.object({ which: z.enum(['dead', 'all']).default('dead') }).openapi('ReplayRequest', { example: { which: 'dead' } }) } } },
  },
  responses: {
    202: { description: 'Deliveries re-queued', content: { 'application/json': { schema: z.object({ replayed: z.number().int() }) } } },
    ...problemResponses(401, 404, 422),
  },
});

interface DeliveryRow {
  id: number;
  item_id: number;
  external_id: string;
  sink_index: number;
  idempotency_key: string;
  status: 'pending' | 'delivered' | 'retry_wait' | 'dead';
  attempts: number;
  last_error: { type: string; message: string } | null;
  next_run_at: Date | null;
  delivered_at: Date | null;
}

export function registerDeliveries(app: OpenAPIHono, deps: AppDeps): void {
  app.openapi(list, async (c) => {
    const { id } = c.req.valid('param');
    const { cursor, limit, status } = c.req.valid('query');
    const job = await deps.db.selectFrom('jobs').select('sinks').where('id', '=', id).executeTakeFirst();
    if (!job) throw new AppError('not_found', `job ${id} does not exist`);
    const after = parseIdCursor(cursor);
    const rows = await sql<DeliveryRow>`
      SELECT d.id, d.item_id, i.external_id, d.sink_index, d.idempotency_key, d.status, d.attempts, d.last_error, d.next_run_at, d.delivered_at
      FROM deliveries d JOIN items i ON i.id = d.item_id
      WHERE d.job_id = ${id} AND d.id > ${after} ${status ? sql`AND d.status = ${status}` : sql``}
      ORDER BY d.id LIMIT ${limit + 1}`.execute(deps.db);
    const sinks = job.sinks as StoredSink[];
    const page = rows.rows.slice(0, limit);
    const last = page[page.length - 1];
    return c.json(
      {
        data: page.map((d) => ({
          id: String(d.id),
          item_id: String(d.item_id),
          external_id: d.external_id,
          sink_index: d.sink_index,
          sink: sinks[d.sink_index]?.plugin ?? 'unknown',
          idempotency_key: d.idempotency_key,
          status: d.status,
          attempts: d.attempts,
          last_error: d.last_error,
          next_run_at: d.next_run_at?.toISOString() ?? null,
          delivered_at: d.delivered_at?.toISOString() ?? null,
        })),
        next_cursor: rows.rows.length > limit && last ? String(last.id) : null,
      },
      200,
    );
  });
  app.openapi(replay, async (c) => {
    const { id } = c.req.valid('param');
    const body = c.req.valid('json') as { which?: 'dead' | 'all' } | undefined;
    const replayed = await replayDeliveries(deps, id, body?.which ?? 'dead');
    return c.json({ replayed }, 202);
  });
}
