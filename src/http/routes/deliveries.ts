// GET /v1/jobs/{id}/deliveries (the outbox, filterable by state) and POST /v1/jobs/{id}/deliveries/replay.
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { sql } from 'kysely';
import { replayDeliveries } from '../../engine/delivery/replay.ts';
import { AppError } from '../../errors.ts';
import type { StoredSink } from '../../plugins/stored-config.ts';
import type { AppDeps } from '../deps.ts';
import { JobIdParam, unknownJob } from './jobs.schemas.ts';
import { apiProblems, PageQuery, pageOf, parseIdCursor } from './shared.schemas.ts';

const DeliveryStatusSchema = z.enum(['pending', 'delivered', 'retry_wait', 'dead']);

const EXAMPLE_DELIVERY = {
  id: '1',
  item_id: '1',
  external_id: 'r1',
  sink_index: 0,
  sink: 'file',
  idempotency_key: 'bl840d7f-1-1-0',
  status: 'delivered',
  attempts: 1,
  last_error: null,
  next_run_at: null,
  delivered_at: '2026-11-24T10:41:18.412Z',
};

const DeliverySchema = z
  .object({
    id: z.string(),
    item_id: z.string(),
    external_id: z.string().openapi({ description: "The document's `id`" }),
    sink_index: z.number().int().openapi({ description: "Position of the sink in the job's `sinks`" }),
    sink: z.string().openapi({ description: 'The sink plugin' }),
    idempotency_key: z.string().openapi({ description: 'Sent with the result; the same on every attempt and replay, so a sink can drop duplicates' }),
    status: DeliveryStatusSchema.openapi({ description: 'pending → delivered, or retry_wait → … → dead after the last attempt' }),
    attempts: z.number().int(),
    last_error: z.object({ type: z.string(), message: z.string() }).nullable(),
    next_run_at: z.string().nullable().openapi({ description: 'When the next attempt is due (pending and retry_wait)' }),
    delivered_at: z.string().nullable(),
  })
  .openapi('Delivery', { description: 'One final result delivered (or being delivered) to one sink', example: EXAMPLE_DELIVERY });

const list = createRoute({
  method: 'get',
  path: '/v1/jobs/{id}/deliveries',
  operationId: 'listJobDeliveries',
  tags: ['deliveries'],
  summary: "A job's deliveries (one per final result and sink), filterable by state",
  description: 'The outbox of a job: find what was not delivered (`status=dead`) and why, then replay it.',
  security: [{ bearer: [] }],
  request: {
    params: JobIdParam,
    query: PageQuery.extend({ status: DeliveryStatusSchema.optional().openapi({ param: { description: 'Only deliveries in this state', example: 'delivered' } }) }),
  },
  responses: {
    200: {
      description: 'A page of deliveries, in result order',
      content: { 'application/json': { schema: pageOf(DeliverySchema), example: { data: [EXAMPLE_DELIVERY], next_cursor: null } } },
    },
    ...apiProblems(401, unknownJob, 422),
  },
});

const replay = createRoute({
  method: 'post',
  path: '/v1/jobs/{id}/deliveries/replay',
  operationId: 'replayJobDeliveries',
  tags: ['deliveries'],
  summary: 'Deliver again: the dead deliveries (default), or all of them; idempotency keys stay the same',
  description: 'Re-queues deliveries with fresh attempts, e.g. after fixing a sink. The body is optional (default `{ "which": "dead" }`).',
  security: [{ bearer: [] }],
  request: {
    params: JobIdParam,
    body: {
      required: false,
      description: 'Which deliveries to replay',
      content: {
        'application/json': {
          schema: z
            .object({ which: z.enum(['dead', 'all']).default('dead').openapi({ description: '`dead`: only those that gave up; `all`: every delivery of the job' }) })
            .openapi('ReplayRequest', { description: 'Which deliveries to send again', example: { which: 'dead' } }),
        },
      },
    },
  },
  responses: {
    202: {
      description: 'Deliveries re-queued',
      content: { 'application/json': { schema: z.object({ replayed: z.number().int().openapi({ description: 'Deliveries re-queued' }) }), example: { replayed: 3 } } },
    },
    ...apiProblems(400, 401, unknownJob, 413, 415, 422),
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
