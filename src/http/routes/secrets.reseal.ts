// POST /v1/secrets/reseal: re-seal every stored secret under the current BATCHLINE_SECRET_KEY, the step of
// a key rotation between "new key current, old key a fallback" and "old key removed" (docs/operations.md).
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { resealSecrets } from '../../secrets/reseal.ts';
import type { AppDeps } from '../deps.ts';
import { apiProblems } from './shared.schemas.ts';

const counts = {
  resealed: z.number().int().openapi({ description: 'Moved from a fallback key onto the current one by this run' }),
  current: z.number().int().openapi({ description: 'Already under the current key' }),
  unreadable: z.number().int().openapi({ description: 'Holding a secret no configured key opens: give those secrets again (PATCH the connection; re-create the job)' }),
};

const ResealReportSchema = z
  .object({
    key_id: z.string().openapi({ description: 'Id of the current key (a digest, never the key): compare it across replicas' }),
    fallback_key_ids: z.array(z.string()).openapi({ description: 'Ids of BATCHLINE_SECRET_KEY_FALLBACKS' }),
    connections: z.object({ ...counts, unreadable_names: z.array(z.string()).openapi({ description: 'Up to 20 of the unreadable ones' }) }),
    jobs: z.object({ ...counts, unreadable_ids: z.array(z.string()).openapi({ description: 'Up to 20 of the unreadable ones' }) }),
    experiments: z
      .object({ ...counts, unreadable_ids: z.array(z.string()).openapi({ description: 'Up to 20 of the unreadable ones' }) })
      .openapi({ description: 'Experiments sampled from a source with secrets (promote reads that source again)' }),
    remaining: z.number().int().openapi({ description: 'Rows still under a fallback key after the run (changed meanwhile): run it again. 0, with no unreadable rows: the fallbacks can go' }),
  })
  .openapi('ResealReport', {
    description: 'What a re-seal did: connections, jobs (their sealed copies of source and sink configs) and experiments (their source) by the key that opens them',
    example: {
      key_id: '3f9a1c7e',
      fallback_key_ids: ['b52d08e4'],
      connections: { resealed: 3, current: 1, unreadable: 0, unreadable_names: [] },
      jobs: { resealed: 41, current: 2, unreadable: 0, unreadable_ids: [] },
      experiments: { resealed: 1, current: 0, unreadable: 0, unreadable_ids: [] },
      remaining: 0,
    },
  });

const route = createRoute({
  method: 'post',
  path: '/v1/secrets/reseal',
  operationId: 'resealSecrets',
  tags: ['secrets'],
  summary: 'Re-seal every stored secret under the current BATCHLINE_SECRET_KEY (key rotation)',
  description:
    'Opens each stored secret (connections, and the sealed copies jobs keep of their source and sinks) with the current key or a fallback ' +
    '(BATCHLINE_SECRET_KEY_FALLBACKS) and seals what a fallback opened under the current key. Safe while jobs run and safe to repeat: a row changed ' +
    'meanwhile is left to the next run. When `remaining` and every `unreadable` are 0, remove the fallbacks. CLI: `batchline secrets reseal`.',
  security: [{ bearer: [] }],
  responses: {
    200: { description: 'Done; what it found and did', content: { 'application/json': { schema: ResealReportSchema } } },
    ...apiProblems(401),
  },
});

export function registerSecretsReseal(app: OpenAPIHono, deps: AppDeps): void {
  app.openapi(route, async (c) => c.json(await resealSecrets(deps.db, deps.secretKey, deps.log), 200));
}
