// GET /v1/jobs/{id}/insights: an aggregate per field of the task's answer, computed in Postgres over the
// stored answers; optional `by` (per metadata value), `over` (per day or week of a metadata date) and filters.
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { parseFilters } from '../../insights/filters.ts';
import { jobInsights } from '../../insights/job-insights.ts';
import type { AppDeps } from '../deps.ts';
import { EXAMPLE_INSIGHTS, FilterParam, filterList, InsightsSchema, SearchParam } from './jobs.insights.schemas.ts';
import { JobIdParam, unknownJob } from './jobs.schemas.ts';
import { apiProblems } from './shared.schemas.ts';

const MetadataKey = z.string().min(1).max(100).regex(/^[A-Za-z0-9_.-]+$/, 'is a metadata key: letters, digits, _ . -');

const route = createRoute({
  method: 'get',
  path: '/v1/jobs/{id}/insights',
  operationId: 'getJobInsights',
  tags: ['jobs'],
  summary: "What a job's answers say, field by field",
  description:
    "For every field of the task's answer schema (nested fields as dotted paths) an aggregate chosen by its type: counts per value " +
    '(enums, booleans), statistics and a histogram (numbers), the most frequent phrases (lists of strings), months (dates), totals per ' +
    'currency (amounts beside a currency code), length statistics (free text). Computed in the database over the stored answers; ' +
    'while the job runs they cover what is answered so far (`complete: false`). `by` splits every aggregate per value of a metadata ' +
    'field (the 50 most frequent, the rest as "(other)"); `over` counts answers per day or week of a metadata date.',
  security: [{ bearer: [] }],
  request: {
    params: JobIdParam,
    query: z.object({
      by: MetadataKey.optional().openapi({ param: { description: 'A metadata field to split the aggregates by (rating, version, channel)', example: 'rating' } }),
      over: MetadataKey.optional().openapi({ param: { description: 'A metadata date field (YYYY-MM-DD…) to count answers over time by', example: 'date' } }),
      filter: FilterParam,
      q: SearchParam,
    }),
  },
  responses: {
    200: { description: 'The insights', content: { 'application/json': { schema: InsightsSchema, example: EXAMPLE_INSIGHTS } } },
    ...apiProblems(401, unknownJob, {
      status: 422,
      when: 'A filter names an unknown field or has a value of the wrong type, or `by`/`over` names a metadata field no answered document has',
      detail: 'query.filter: score is a number; "high" is not',
      errors: [{ field: 'query.filter', message: 'score is a number; "high" is not' }],
    }),
  },
});

export function registerJobsInsights(app: OpenAPIHono, deps: AppDeps): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const { by, over, filter, q } = c.req.valid('query');
    const insights = await jobInsights(deps.db, id, { by, over, filters: parseFilters(filterList(filter), 'query.filter'), q });
    return c.json(insights as z.infer<typeof InsightsSchema>, 200);
  });
}
