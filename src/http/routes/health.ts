// GET /healthz (the process answers) and GET /readyz (database reachable, migrations applied).
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppDeps } from '../deps.ts';
import { problemResponses } from './shared.schemas.ts';
import { AppError } from '../../errors.ts';

const healthz = createRoute({
  method: 'get',
  path: '/healthz',
  operationId: 'getHealth',
  tags: ['health'],
  summary: 'Liveness',
  description: 'Answers as long as the process serves HTTP; no database call. For load balancers and container liveness probes. Needs no token.',
  responses: {
    200: {
      description: 'The process is alive',
      content: { 'application/json': { schema: z.object({ status: z.literal('ok') }), example: { status: 'ok' } } },
    },
    ...problemResponses(500),
  },
});

const readyz = createRoute({
  method: 'get',
  path: '/readyz',
  operationId: 'getReadiness',
  tags: ['health'],
  summary: 'Readiness: database reachable and migrations applied',
  description: 'Send traffic only when this answers 200 (Kubernetes readiness probe). Needs no token.',
  responses: {
    200: {
      description: 'Ready to serve',
      content: { 'application/json': { schema: z.object({ status: z.literal('ready') }), example: { status: 'ready' } } },
    },
    ...problemResponses(500, { status: 503, when: 'The database is unreachable or migrations are not applied yet', detail: 'database unreachable' }),
  },
});

export function registerHealth(app: OpenAPIHono, deps: AppDeps): void {
  app.openapi(healthz, (c) => c.json({ status: 'ok' as const }, 200));
  app.openapi(readyz, async (c) => {
    const reason = await deps.notReadyReason();
    if (reason) throw new AppError('unavailable', reason);
    return c.json({ status: 'ready' as const }, 200);
  });
}
