// GET /healthz (the process answers) and GET /readyz (database reachable, migrations applied).
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppDeps } from '../deps.ts';
import { problemResponses } from '../schemas.ts';
import { AppError } from '../../errors.ts';

const healthz = createRoute({
  method: 'get',
  path: '/healthz',
  tags: ['health'],
  summary: 'Liveness',
  responses: { 200: { description: 'The process is alive', content: { 'application/json': { schema: z.object({ status: z.literal('ok') }) } } } },
});

const readyz = createRoute({
  method: 'get',
  path: '/readyz',
  tags: ['health'],
  summary: 'Readiness: database reachable and migrations applied',
  responses: {
    200: { description: 'Ready', content: { 'application/json': { schema: z.object({ status: z.literal('ready') }) } } },
    ...problemResponses(503),
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
