// GET /v1/deleted-jobs: the tombstones of deleted jobs, newest first, cursor-paginated: who deleted what
// and when, with its counts, usage and cost; never any text.
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { sql } from 'kysely';
import { decodeCursor, encodeCursor } from '../page-cursor.ts';
import type { AppDeps } from '../deps.ts';
import { EXAMPLE_TOMBSTONE, TombstoneSchema } from './jobs.deleted.schemas.ts';
import { apiProblems, PageQuery, pageOf } from './shared.schemas.ts';

const route = createRoute({
  method: 'get',
  path: '/v1/deleted-jobs',
  operationId: 'listDeletedJobs',
  tags: ['jobs'],
  summary: 'List deleted jobs (tombstones)',
  description: 'What is kept of each deleted job for an audit, newest deletion first: id, name, who deleted it and when, counts, usage and cost. Pass `next_cursor` back as `cursor` until it is null.',
  security: [{ bearer: [] }],
  request: {
    query: PageQuery.extend({
      cursor: PageQuery.shape.cursor.openapi({
        param: { description: '`next_cursor` of the previous page (opaque); omit for the first page', example: encodeCursor(new Date(EXAMPLE_TOMBSTONE.deleted_at), EXAMPLE_TOMBSTONE.id) },
      }),
    }),
  },
  responses: {
    200: { description: 'A page of deleted jobs', content: { 'application/json': { schema: pageOf(TombstoneSchema), example: { data: [EXAMPLE_TOMBSTONE], next_cursor: null } } } },
    ...apiProblems(401, { status: 422, when: 'A query parameter is invalid', detail: 'query.cursor: is not a cursor returned by this API', errors: [{ field: 'query.cursor', message: 'is not a cursor returned by this API' }] }),
  },
});

export function registerDeletedJobs(app: OpenAPIHono, deps: AppDeps): void {
  app.openapi(route, async (c) => {
    const { cursor, limit } = c.req.valid('query');
    // Ordered and compared at millisecond precision, the precision the cursor carries.
    const deletedMs = sql<Date>`date_trunc('milliseconds', deleted_at)`;
    let query = deps.db.selectFrom('job_tombstones').selectAll().orderBy(deletedMs, 'desc').orderBy('id', 'desc').limit(limit + 1);
    if (cursor) {
      const { at, id } = decodeCursor(cursor);
      query = query.where((eb) => eb.or([eb(deletedMs, '<', at), eb.and([eb(deletedMs, '=', at), eb('id', '<', id)])]));
    }
    const rows = await query.execute();
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return c.json(
      {
        data: page.map((t) => ({
          ...t,
          created_at: t.created_at.toISOString(),
          finished_at: t.finished_at?.toISOString() ?? null,
          delete_requested_at: t.delete_requested_at.toISOString(),
          deleted_at: t.deleted_at.toISOString(),
        })),
        next_cursor: rows.length > limit && last ? encodeCursor(last.deleted_at, last.id) : null,
      },
      200,
    );
  });
}
