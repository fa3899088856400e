// GET /v1/experiments/{id}/documents: the sampled documents beside each arm's answer; the disagreements, or what one arm got wrong.
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { documentsPage, type DocumentsQuery } from '../../experiments/documents.ts';
import { loadExperiment } from '../../experiments/view.ts';
import { AppError, invalidField } from '../../errors.ts';
import type { AppDeps } from '../deps.ts';
import { EXAMPLE_EXPERIMENT_DOCUMENT, ExperimentDocumentSchema, ExperimentIdParam, unknownExperiment } from './experiments.schemas.ts';
import { apiProblems, PageQuery, pageOf, parseIdCursor } from './shared.schemas.ts';

const FILTER = /^(all|disagreements|disagreements:(.+)|wrong:(.+))$/;

const route = createRoute({
  method: 'get',
  path: '/v1/experiments/{id}/documents',
  operationId: 'listExperimentDocuments',
  tags: ['experiments'],
  summary: "The sampled documents with each arm's answer: all, the disagreements, or what one arm got wrong",
  description:
    'In sampling order, each document with its text (first 4,000 characters), metadata, every arm\'s answer and the gold label, the fields arms disagree on ' +
    'and the arms that miss a label. `filter`: `all`, `disagreements` (arms that answered differ on a scored field), `disagreements:<field>`, or `wrong:<arm>` ' +
    '(documents whose label that arm misses, or that it did not answer).',
  security: [{ bearer: [] }],
  request: {
    params: ExperimentIdParam,
    query: PageQuery.extend({
      filter: z
        .string()
        .max(300)
        .regex(FILTER, 'use all, disagreements, disagreements:<field> or wrong:<arm>')
        .default('all')
        .openapi({ param: { description: 'all | disagreements | disagreements:<field> | wrong:<arm>', example: 'all' } }),
    }),
  },
  responses: {
    200: { description: 'A page of sampled documents', content: { 'application/json': { schema: pageOf(ExperimentDocumentSchema), example: { data: [EXAMPLE_EXPERIMENT_DOCUMENT], next_cursor: null } } } },
    ...apiProblems(401, unknownExperiment, { status: 422, when: 'A parameter is invalid', detail: 'query.filter: no arm "opus"; arms are haiku, sonnet', errors: [{ field: 'query.filter', message: 'no arm "opus"; arms are haiku, sonnet' }] }),
  },
});

export function registerExperimentsDocuments(app: OpenAPIHono, deps: AppDeps): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const { cursor, limit, filter } = c.req.valid('query');
    const row = await loadExperiment(deps.db, id);
    if (!row) throw new AppError('not_found', `experiment ${id} does not exist`);
    const m = FILTER.exec(filter);
    const query: DocumentsQuery = { only: m?.[1] === 'all' ? 'all' : 'disagreements', field: m?.[2], wrong: m?.[3], after: parseIdCursor(cursor), limit };
    if (query.wrong !== undefined) {
      query.only = 'all';
      const arms = await deps.db.selectFrom('experiment_arms').select('name').where('experiment_id', '=', id).execute();
      if (!arms.some((a) => a.name === query.wrong)) throw invalidField('query.filter', `no arm "${query.wrong}"; arms are ${arms.map((a) => a.name).join(', ')}`);
    }
    const page = await documentsPage(deps.db, row, query);
    return c.json({ data: page.data, next_cursor: page.next === null ? null : String(page.next) }, 200);
  });
}
