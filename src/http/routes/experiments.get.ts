// GET /v1/experiments (newest first) and GET /v1/experiments/{id} (arms, and the comparison once they have ended).
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { sql } from 'kysely';
import { AppError } from '../../errors.ts';
import { decodeCursor, encodeCursor } from '../page-cursor.ts';
import { armRowsByExperiment, experimentView, loadExperiment, summaryOf } from '../../experiments/view.ts';
import type { AppDeps } from '../deps.ts';
import { EXAMPLE_EXPERIMENT, EXAMPLE_EXPERIMENT_ID, EXAMPLE_EXPERIMENT_SUMMARY, ExperimentIdParam, ExperimentSchema, ExperimentSummarySchema, unknownExperiment } from './experiments.schemas.ts';
import { apiProblems, EXAMPLE, PageQuery, pageOf } from './shared.schemas.ts';

const get = createRoute({
  method: 'get',
  path: '/v1/experiments/{id}',
  operationId: 'getExperiment',
  tags: ['experiments'],
  summary: 'Get an experiment, with the comparison once its arms have ended',
  description:
    'The sample, each arm (an ordinary job: status, counts, cost) and, once every arm has ended, the comparison: per field the agreement ' +
    'between arms (exact for enums and booleans, a tolerance for numbers, set overlap for lists, free text by emptiness and length), a confusion ' +
    'matrix per enum field, schema-valid rate, tokens and cost per 1,000 documents extrapolated to the source, and with gold labels each ' +
    "arm's accuracy with a 95% Wilson interval and McNemar's test between arms. The disagreements themselves: GET /v1/experiments/{id}/documents.",
  security: [{ bearer: [] }],
  request: { params: ExperimentIdParam },
  responses: {
    200: { description: 'The experiment as it is now', content: { 'application/json': { schema: ExperimentSchema, example: EXAMPLE_EXPERIMENT } } },
    ...apiProblems(401, unknownExperiment, 422),
  },
});

const list = createRoute({
  method: 'get',
  path: '/v1/experiments',
  operationId: 'listExperiments',
  tags: ['experiments'],
  summary: 'List experiments',
  description: 'Newest first, one page at a time: pass `next_cursor` back as `cursor` until it is null.',
  security: [{ bearer: [] }],
  request: {
    query: PageQuery.extend({
      cursor: PageQuery.shape.cursor.openapi({ param: { description: '`next_cursor` of the previous page (opaque); omit for the first page', example: encodeCursor(new Date(EXAMPLE.createdAt), EXAMPLE_EXPERIMENT_ID) } }),
    }),
  },
  responses: {
    200: { description: 'A page of experiments, newest first', content: { 'application/json': { schema: pageOf(ExperimentSummarySchema), example: { data: [EXAMPLE_EXPERIMENT_SUMMARY], next_cursor: null } } } },
    ...apiProblems(401, { status: 422, when: 'A query parameter is invalid', detail: 'query.cursor: is not a cursor returned by this API', errors: [{ field: 'query.cursor', message: 'is not a cursor returned by this API' }] }),
  },
});

export function registerExperimentsGet(app: OpenAPIHono, deps: AppDeps): void {
  app.openapi(list, async (c) => {
    const { cursor, limit } = c.req.valid('query');
    const createdMs = sql<Date>`date_trunc('milliseconds', created_at)`;
    let query = deps.db.selectFrom('experiments').selectAll().orderBy(createdMs, 'desc').orderBy('id', 'desc').limit(limit + 1);
    if (cursor) {
      const { at, id } = decodeCursor(cursor);
      query = query.where((eb) => eb.or([eb(createdMs, '<', at), eb.and([eb(createdMs, '=', at), eb('id', '<', id)])]));
    }
    const rows = await query.execute();
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    const arms = await armRowsByExperiment(deps.db, page.map((row) => row.id));
    const data = page.map((row) => summaryOf(row, arms.get(row.id) ?? []));
    return c.json({ data, next_cursor: rows.length > limit && last ? encodeCursor(last.created_at, last.id) : null }, 200);
  });
  app.openapi(get, async (c) => {
    const { id } = c.req.valid('param');
    const row = await loadExperiment(deps.db, id);
    if (!row) throw new AppError('not_found', `experiment ${id} does not exist`);
    return c.json(await experimentView(deps.db, row), 200);
  });
}
