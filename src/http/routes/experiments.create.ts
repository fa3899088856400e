// POST /v1/experiments: samples the documents and starts one ordinary job per arm on the sample; honors Idempotency-Key.
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { createExperiment } from '../../experiments/create.ts';
import { experimentView, loadExperiment } from '../../experiments/view.ts';
import type { AppDeps } from '../deps.ts';
import { CreateExperimentSchema, EXAMPLE_CREATE_EXPERIMENT, EXAMPLE_NEW_EXPERIMENT, ExperimentSchema } from './experiments.schemas.ts';
import { apiProblems } from './shared.schemas.ts';

const route = createRoute({
  method: 'post',
  path: '/v1/experiments',
  operationId: 'createExperiment',
  tags: ['experiments'],
  summary: 'Create an experiment: two or more arms on the same sample',
  description:
    'Reads the documents once (inline, or the source as a job would, nothing stored from it but the sample), draws the sample ' +
    '(seeded, optionally stratified by a metadata field), checks the gold labels against the source, then starts one ordinary job per arm on the ' +
    'sampled documents (same lifecycle, retries and budget rules; each arm job uses the result cache and holds its share of `max_usd`). ' +
    'Every check runs before anything is stored or sent: one arm, a sample larger than the source, an arm that is not a valid task, labels for ids not in ' +
    'the source are 422s naming the field. Follow it with GET /v1/experiments/{id}; once the arms have ended it carries the comparison.',
  security: [{ bearer: [] }],
  request: {
    headers: z.object({
      'idempotency-key': z
        .string()
        .min(1)
        .max(255)
        .optional()
        .openapi({ param: { description: 'Any unique string: a replay with the same key and body returns the experiment created first (200)', example: '9d4a1e60-2b7c-4f1d-8f0e-6c3b5a7e2d19' } }),
    }),
    body: {
      required: true,
      description: 'The documents (inline or a source), the task, the sample, the arms and optionally gold labels and a budget',
      content: {
        'application/json': {
          schema: CreateExperimentSchema,
          examples: {
            inline: { summary: 'Two models on three of four inline reviews, with gold labels', value: EXAMPLE_CREATE_EXPERIMENT },
            source: {
              summary: 'A stratified sample of 200 reviews from a Play Console export, a cheaper model against a rewritten prompt, labels from a file',
              value: {
                name: 'q3-reviews-prompt-check',
                task: 'review-insights',
                source: { plugin: 'reviews', config: { path: 'exports/reviews_com.example_202611.csv', preset: 'google-play' } },
                sample: { size: 200, seed: 7, stratify_by: 'rating' },
                arms: [{ name: 'baseline' }, { name: 'terse', prompt: 'Classify this review in one pass.\n\n{{text}}', max_tokens: 512 }],
                labels: { path: 'labels/reviews-gold.csv' },
                max_usd: 5,
              },
            },
          },
        },
      },
    },
  },
  responses: {
    201: {
      description: 'Created: the arm jobs are running',
      headers: { Location: { description: 'The experiment: /v1/experiments/{id}', schema: { type: 'string' } } },
      content: { 'application/json': { schema: ExperimentSchema, example: EXAMPLE_NEW_EXPERIMENT } },
      links: { GetExperiment: { operationId: 'getExperiment', parameters: { id: '$response.body#/id' }, description: 'Follow the experiment' } },
    },
    200: { description: 'An Idempotency-Key replay: the experiment created earlier, as it is now', content: { 'application/json': { schema: ExperimentSchema, example: EXAMPLE_NEW_EXPERIMENT } } },
    ...apiProblems(
      400,
      401,
      { status: 409, when: 'The Idempotency-Key was used with a different body', detail: 'this Idempotency-Key was already used with a different request body' },
      413,
      415,
      {
        status: 422,
        when: 'A field is invalid: fewer than two arms, an arm that is not a valid task, a sample larger than the source, labels for ids not in the source…',
        detail: 'sample.size: is 5001, but the source holds 5000 documents that can be sent',
        errors: [{ field: 'sample.size', message: 'is 5001, but the source holds 5000 documents that can be sent' }],
      },
    ),
  },
});

export function registerExperimentsCreate(app: OpenAPIHono, deps: AppDeps): void {
  app.openapi(route, async (c) => {
    const body = c.req.valid('json');
    const key = c.req.valid('header')['idempotency-key'];
    const { id, created } = await createExperiment(deps, body, key, c.req.raw.signal);
    const row = await loadExperiment(deps.db, id);
    if (!row) throw new Error(`experiment ${id} vanished after it was created`);
    c.header('Location', `/v1/experiments/${id}`);
    return c.json(await experimentView(deps.db, row), created ? 201 : 200);
  });
}
