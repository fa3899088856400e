// GET /v1/jobs/{id}/results: final results in item order; cursor pages, or all of them as NDJSON.
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { stream } from 'hono/streaming';
import { resultsPage } from '../../engine/views/results-query.ts';
import { AppError } from '../../errors.ts';
import type { AppDeps } from '../deps.ts';
import { EXAMPLE_RESULT, ResultSchema } from './jobs.results.schemas.ts';
import { JobIdParam, unknownJob } from './jobs.schemas.ts';
import { apiProblems, PageQuery, pageOf, parseIdCursor } from './shared.schemas.ts';

const route = createRoute({
  method: 'get',
  path: '/v1/jobs/{id}/results',
  operationId: 'listJobResults',
  tags: ['jobs'],
  summary: 'Results of a job (JSON pages, or NDJSON with Accept: application/x-ndjson)',
  description:
    'Final results in document order: one per document once it has succeeded, failed for good or been canceled. ' +
    'Read pages with `cursor`, or send `Accept: application/x-ndjson` to stream every result (from `cursor` on), one JSON object per line.',
  security: [{ bearer: [] }],
  request: {
    params: JobIdParam,
    query: PageQuery.extend({ status: z.enum(['succeeded', 'failed', 'canceled']).optional().openapi({ param: { description: 'Only results in this status', example: 'succeeded' } }) }),
  },
  responses: {
    200: {
      description: 'A page of results, or with Accept: application/x-ndjson every result, one Result per line',
      content: {
        'application/json': { schema: pageOf(ResultSchema), example: { data: [EXAMPLE_RESULT], next_cursor: null } },
        'application/x-ndjson': { schema: ResultSchema, example: EXAMPLE_RESULT },
      },
    },
    ...apiProblems(401, unknownJob, { status: 422, when: 'A parameter is invalid', detail: 'query.cursor: is not a cursor returned by this API', errors: [{ field: 'query.cursor', message: 'is not a cursor returned by this API' }] }),
  },
});

const STREAM_PAGE = 1000;

export function registerJobsResults(app: OpenAPIHono, deps: AppDeps): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const { cursor, limit, status } = c.req.valid('query');
    const job = await deps.db.selectFrom('jobs').select('id').where('id', '=', id).executeTakeFirst();
    if (!job) throw new AppError('not_found', `job ${id} does not exist`);
    const after = parseIdCursor(cursor);

    if ((c.req.header('accept') ?? '').includes('application/x-ndjson')) {
      c.header('content-type', 'application/x-ndjson');
      // The NDJSON variant is described in the route; its streamed Response is not a typed JSON response.
      return stream(c, async (out) => {
        let next: number | null = after;
        while (next !== null && !out.aborted) {
          const page = await resultsPage(deps.db, id, next, STREAM_PAGE, status);
          if (page.results.length > 0) await out.write(page.results.map((r) => JSON.stringify(r)).join('\n') + '\n');
          next = page.next;
        }
      }) as never;
    }
    const page = await resultsPage(deps.db, id, after, limit, status);
    return c.json({ data: page.results, next_cursor: page.next === null ? null : String(page.next) }, 200);
  });
}
