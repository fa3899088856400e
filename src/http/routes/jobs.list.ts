// GET /v1/jobs: jobs newest first, cursor-paginated.
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { sql } from 'kysely';
import { jobSummary } from '../../engine/views/job-view.ts';
import { decodeCursor, encodeCursor } from '../page-cursor.ts';
import type { AppDeps } from '../deps.ts';
import { EXAMPLE_JOB_SUMMARY, JobStatusSchema, JobSummarySchema } from './jobs.schemas.ts';
import { apiProblems, EXAMPLE, PageQuery, pageOf } from './shared.schemas.ts';

const route = createRoute({
  method: 'get',
  path: '/v1/jobs',
  operationId: 'listJobs',
  tags: ['jobs'],
  summary: 'List jobs',
  description: 'Newest first, one page at a time: pass `next_cursor` back as `cursor` until it is null.',
  security: [{ bearer: [] }],
  request: {
    query: PageQuery.extend({
      cursor: PageQuery.shape.cursor.openapi({
        param: { description: '`next_cursor` of the previous page (opaque); omit for the first page', example: encodeCursor(new Date(EXAMPLE.createdAt), EXAMPLE.jobId) },
      }),
      status: JobStatusSchema.optional().openapi({ param: { description: 'Only jobs in this status', example: 'completed' } }),
    }),
  },
  responses: {
    200: {
      description: 'A page of jobs, newest first',
      content: { 'application/json': { schema: pageOf(JobSummarySchema), example: { data: [EXAMPLE_JOB_SUMMARY], next_cursor: null } } },
    },
    ...apiProblems(401, { status: 422, when: 'A query parameter is invalid', detail: 'query.cursor: is not a cursor returned by this API', errors: [{ field: 'query.cursor', message: 'is not a cursor returned by this API' }] }),
  },
});

export function registerJobsList(app: OpenAPIHono, deps: AppDeps): void {
  app.openapi(route, async (c) => {
    const { cursor, limit, status } = c.req.valid('query');
    // Ordered and compared at millisecond precision, the precision the cursor carries.
    const createdMs = sql<Date>`date_trunc('milliseconds', created_at)`;
    let query = deps.db.selectFrom('jobs').selectAll().orderBy(createdMs, 'desc').orderBy('id', 'desc').limit(limit + 1);
    if (status) query = query.where('status', '=', status);
    if (cursor) {
      const { at, id } = decodeCursor(cursor);
      query = query.where((eb) => eb.or([eb(createdMs, '<', at), eb.and([eb(createdMs, '=', at), eb('id', '<', id)])]));
    }
    const rows = await query.execute();
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    const next = rows.length > limit && last ? encodeCursor(last.created_at, last.id) : null;
    return c.json({ data: page.map(jobSummary), next_cursor: next }, 200);
  });
}
