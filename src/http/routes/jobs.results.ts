// GET /v1/jobs/{id}/results: final results in item order; cursor pages, or all of them streamed as NDJSON
// or CSV. Filters on the answer and metadata, and a text search, narrow any of them (the results explorer).
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { stream } from 'hono/streaming';
import { sql } from 'kysely';
import { resultsPage, type ExplorerResult, type ResultsPageOptions } from '../../engine/views/results-query.ts';
import { AppError } from '../../errors.ts';
import { filtersCondition, parseFilters } from '../../insights/filters.ts';
import { jobFields } from '../../insights/job-insights.ts';
import { csvHeaderOf, csvLineOf } from '../../insights/results-csv.ts';
import type { AppDeps } from '../deps.ts';
import { FilterParam, filterList, SearchParam } from './jobs.insights.schemas.ts';
import { EXAMPLE_RESULT, ResultSchema } from './jobs.results.schemas.ts';
import { JobIdParam, unknownJob } from './jobs.schemas.ts';
import { apiProblems, PageQuery, pageOf, parseIdCursor } from './shared.schemas.ts';

const route = createRoute({
  method: 'get',
  path: '/v1/jobs/{id}/results',
  operationId: 'listJobResults',
  tags: ['jobs'],
  summary: 'Results of a job (JSON pages, or every one as NDJSON or CSV), filtered by answer, metadata or text',
  description:
    'Final results in document order: one per document once it has succeeded, failed for good or been canceled. ' +
    'Read pages with `cursor`, or stream every result (from `cursor` on) with `format=ndjson` (or `Accept: application/x-ndjson`), one JSON object per line, ' +
    'or `format=csv` (or `Accept: text/csv`): one row per result, one column per field of the answer. `filter` (repeatable) and `q` narrow any of them; ' +
    'a filter on the answer keeps only succeeded results.',
  security: [{ bearer: [] }],
  request: {
    params: JobIdParam,
    query: PageQuery.extend({
      status: z.enum(['succeeded', 'failed', 'canceled']).optional().openapi({ param: { description: 'Only results in this status', example: 'succeeded' } }),
      filter: FilterParam,
      q: SearchParam,
      format: z.enum(['json', 'ndjson', 'csv']).optional().openapi({ param: { description: 'json: pages (the default); ndjson, csv: every matching result, streamed', example: 'json' } }),
      include: z.enum(['document']).optional().openapi({ param: { description: "document: add each result's title and text (when the job kept the text)", example: 'document' } }),
    }),
  },
  responses: {
    200: {
      description: 'A page of results; with format=ndjson (or Accept: application/x-ndjson) every result, one Result per line; with format=csv a CSV file',
      content: {
        'application/json': { schema: pageOf(ResultSchema), example: { data: [EXAMPLE_RESULT], next_cursor: null } },
        'application/x-ndjson': { schema: ResultSchema, example: EXAMPLE_RESULT },
        'text/csv': {
          schema: z.string(),
          example:
            'external_id,item_id,status,sentiment,score,key_points,issues,summary,error_type,error_message,metadata\n' +
            'r1,1,succeeded,mixed,3,battery lasts two days; strap broke within a week,strap broke within a week,"Long battery life, but the strap broke after a week.",,,"{""rating"":3}"\n',
        },
      },
    },
    ...apiProblems(401, unknownJob, {
      status: 422,
      when: 'A parameter is invalid: a cursor not from this API, a filter on an unknown field or with a value of the wrong type',
      detail: 'query.filter: "colour" is not a field of the task\'s answer; fields: sentiment, score, key_points, issues, summary, or metadata.KEY',
      errors: [{ field: 'query.filter', message: '"colour" is not a field of the task\'s answer; fields: sentiment, score, key_points, issues, summary, or metadata.KEY' }],
    }),
  },
});

const STREAM_PAGE = 1000;

export function registerJobsResults(app: OpenAPIHono, deps: AppDeps): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const { cursor, limit, status, filter, q, format, include } = c.req.valid('query');
    const job = await deps.db.selectFrom('jobs').select(['id', 'task']).where('id', '=', id).executeTakeFirst();
    if (!job) throw new AppError('not_found', `job ${id} does not exist`);
    const after = parseIdCursor(cursor);
    const fields = jobFields(job);
    const filters = parseFilters(filterList(filter), 'query.filter');
    const where = filters.length > 0 || q ? filtersCondition(fields, filters, q, { output: sql`r.output`, metadata: sql`(i.document -> 'metadata')` }, 'query.filter') : undefined;
    const options: ResultsPageOptions = { status, where, withDocument: include === 'document' };

    const wantsNdjson = format === 'ndjson' || (format === undefined && (c.req.header('accept') ?? '').includes('application/x-ndjson'));
    if (wantsNdjson) return streamAll(c, deps, id, after, options, 'application/x-ndjson', undefined, (r) => `${JSON.stringify(r)}\n`);
    if (format === 'csv' || (format === undefined && (c.req.header('accept') ?? '').includes('text/csv'))) {
      c.header('content-disposition', `attachment; filename="${id}-results.csv"`);
      return streamAll(c, deps, id, after, options, 'text/csv; charset=utf-8', csvHeaderOf(fields), (r) => csvLineOf(fields, r));
    }
    const page = await resultsPage(deps.db, id, after, limit, options);
    return c.json({ data: page.results, next_cursor: page.next === null ? null : String(page.next) }, 200);
  });
}

/** Every matching result from `after` on, a page of STREAM_PAGE at a time: memory stays flat however many there are. */
function streamAll(c: Context, deps: AppDeps, id: string, after: number, options: ResultsPageOptions, contentType: string, header: string | undefined, line: (r: ExplorerResult) => string) {
  c.header('content-type', contentType);
  // The streamed variants are described in the route; a streamed Response is not a typed JSON response.
  return stream(c, async (out) => {
    if (header) await out.write(header);
    let next: number | null = after;
    while (next !== null && !out.aborted) {
      const page = await resultsPage(deps.db, id, next, STREAM_PAGE, options);
      if (page.results.length > 0) await out.write(page.results.map(line).join(''));
      next = page.next;
    }
  }) as never;
}
