// Corrections of a job's answers: PUT one item's (checked against each field's schema, who recorded),
// DELETE them, and GET the job's corrections as pages or as a labels file (JSONL, the shape experiments read).
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { stream } from 'hono/streaming';
import { actorOf } from '../../engine/lifecycle/delete-job.ts';
import { AppError } from '../../errors.ts';
import { correctionsOf, correctItem, withdrawCorrections } from '../../insights/corrections.ts';
import type { AppDeps } from '../deps.ts';
import { CorrectionInputSchema, EXAMPLE_CORRECTION_INPUT, EXAMPLE_ITEM_CORRECTIONS, ItemCorrectionsSchema, ItemParams } from './jobs.corrections.schemas.ts';
import { JobIdParam, unknownJob } from './jobs.schemas.ts';
import { apiProblems, PageQuery, pageOf, parseIdCursor, type ProblemCase } from './shared.schemas.ts';

const unknownItem: ProblemCase = { status: 404, when: 'No job has this id, or the job has no document with this id', detail: 'job job_7fk2m9q4x1c8v3bn has no document "r9"' };
const nothingToCorrect: ProblemCase = {
  status: 409,
  when: 'The document has no answer to correct (it failed or was canceled), or retention purged the answers',
  detail: 'document "r2" has no answer to correct (it is failed)',
};

const put = createRoute({
  method: 'put',
  path: '/v1/jobs/{id}/items/{external_id}/correction',
  operationId: 'correctJobItem',
  tags: ['jobs'],
  summary: "Correct a document's answer",
  description:
    "Gives the right value of one or more fields of a document's answer. Each value is checked against the field's schema; a " +
    'value equal to the model\'s answer is refused. Earlier corrections of the same fields are replaced; who made it is recorded. ' +
    "The job's insights show the share corrected per field, and an experiment on the same task can take the corrections as gold labels.",
  security: [{ bearer: [] }],
  request: { params: ItemParams, body: { required: true, description: 'The right values, and who gives them', content: { 'application/json': { schema: CorrectionInputSchema, example: EXAMPLE_CORRECTION_INPUT } } } },
  responses: {
    200: { description: "The document's corrections, all fields", content: { 'application/json': { schema: ItemCorrectionsSchema } } },
    ...apiProblems(400, 401, unknownItem, nothingToCorrect, 415, {
      status: 422,
      when: "A field is not in the task's answer, or a value does not fit the field's schema or is the model's own answer",
      detail: 'fields.sentiment: "angry" is not a valid sentiment; one of "positive", "negative", "neutral", "mixed" (Invalid option: expected one of "positive"|"negative"|"neutral"|"mixed")',
      errors: [{ field: 'fields.sentiment', message: '"angry" is not a valid sentiment; one of "positive", "negative", "neutral", "mixed" (Invalid option: expected one of "positive"|"negative"|"neutral"|"mixed")' }],
    }),
  },
});

const remove = createRoute({
  method: 'delete',
  path: '/v1/jobs/{id}/items/{external_id}/correction',
  operationId: 'withdrawJobItemCorrection',
  tags: ['jobs'],
  summary: "Withdraw a document's corrections",
  description: 'Removes the corrections of the fields named in `field` (repeatable), or all of the document\'s.',
  security: [{ bearer: [] }],
  request: {
    params: ItemParams,
    query: z.object({
      field: z
        .union([z.string(), z.array(z.string())])
        .optional()
        .openapi({ param: { description: 'A corrected field to withdraw (repeatable); omit to withdraw all', example: 'sentiment' } }),
    }),
  },
  responses: { 204: { description: 'Withdrawn (also when there was nothing to withdraw); no body' }, ...apiProblems(401, unknownItem, 422) },
});

const list = createRoute({
  method: 'get',
  path: '/v1/jobs/{id}/corrections',
  operationId: 'listJobCorrections',
  tags: ['jobs'],
  summary: "A job's corrections (pages, or a labels file)",
  description:
    'The corrected documents in document order, each with its corrected fields. With `format=labels` (or `Accept: application/x-ndjson`), every correction as a labels ' +
    'file: JSONL, one object per document with its `id` and the right values, the format experiments read (`labels.path`).',
  security: [{ bearer: [] }],
  request: {
    params: JobIdParam,
    query: PageQuery.extend({
      format: z.enum(['json', 'labels']).optional().openapi({ param: { description: 'json: pages (the default); labels: every correction as a JSONL labels file', example: 'labels' } }),
    }),
  },
  responses: {
    200: {
      description: 'A page of corrected documents; with format=labels a JSONL labels file',
      content: {
        'application/json': { schema: pageOf(ItemCorrectionsSchema), example: { data: [EXAMPLE_ITEM_CORRECTIONS], next_cursor: null } },
        'application/x-ndjson': { schema: z.record(z.string(), z.unknown()), example: { id: 'r1', score: 2, sentiment: 'negative' } },
      },
    },
    ...apiProblems(401, unknownJob, 422),
  },
});

const LABELS_PAGE = 1000;

export function registerJobsCorrections(app: OpenAPIHono, deps: AppDeps): void {
  app.openapi(put, async (c) => {
    const { id, external_id: externalId } = c.req.valid('param');
    const token = /^Bearer\s+(.+)$/i.exec(c.req.header('authorization') ?? '')?.[1]?.trim();
    const actor = actorOf(deps.config.BATCHLINE_API_KEYS.length > 0 ? token : undefined, 'api');
    return c.json(await correctItem(deps.db, id, externalId, c.req.valid('json'), actor), 200);
  });

  app.openapi(remove, async (c) => {
    const { id, external_id: externalId } = c.req.valid('param');
    const field = c.req.valid('query').field;
    await requireJob(deps, id);
    await withdrawCorrections(deps.db, id, externalId, field === undefined ? [] : Array.isArray(field) ? field : [field]);
    return c.body(null, 204);
  });

  app.openapi(list, async (c) => {
    const { id } = c.req.valid('param');
    const { cursor, limit, format } = c.req.valid('query');
    await requireJob(deps, id);
    const after = parseIdCursor(cursor);
    if (format === 'labels' || (format === undefined && (c.req.header('accept') ?? '').includes('application/x-ndjson'))) {
      c.header('content-type', 'application/x-ndjson');
      c.header('content-disposition', `attachment; filename="${id}-labels.jsonl"`);
      // The streamed variant is described in the route; a streamed Response is not a typed JSON response.
      return stream(c, async (out) => {
        for (let next = after; !out.aborted; ) {
          const page = await correctionsOf(deps.db, id, { after: next, limit: LABELS_PAGE });
          if (page.length === 0) break;
          const lines = page.map((item) => JSON.stringify({ id: item.external_id, ...Object.fromEntries(Object.entries(item.fields).map(([path, f]) => [path, f.value])) }));
          await out.write(`${lines.join('\n')}\n`);
          next = Number(page[page.length - 1]?.item_id ?? next);
          if (page.length < LABELS_PAGE) break;
        }
      }) as never;
    }
    const page = await correctionsOf(deps.db, id, { after, limit: limit + 1 });
    const data = page.slice(0, limit);
    return c.json({ data, next_cursor: page.length > limit ? (data[data.length - 1]?.item_id ?? null) : null }, 200);
  });
}

async function requireJob(deps: AppDeps, id: string): Promise<void> {
  const job = await deps.db.selectFrom('jobs').select('status').where('id', '=', id).executeTakeFirst();
  if (!job || job.status === 'deleting') throw new AppError('not_found', `job ${id} does not exist`);
}
