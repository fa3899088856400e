// The Hono application: middleware, every route, the error handler and the OpenAPI document.
import { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { timeout } from 'hono/timeout';
import { rateLimit } from './middleware/rate-limit.ts';
import { spanRoute } from './middleware/span-route.ts';
import { registerCallbacks } from './routes/callbacks.batches.ts';
import { registerDeliveries } from './routes/deliveries.ts';
import type { MiddlewareHandler } from 'hono';
import { AppError } from '../errors.ts';
import { bearerAuth } from './auth.ts';
import type { AppDeps } from './deps.ts';
import { errorHandler, problemResponse, validationProblem } from './problem.ts';
import { registerHealth } from './routes/health.ts';
import { registerJobsActions } from './routes/jobs.actions.ts';
import { registerJobsCreate } from './routes/jobs.create.ts';
import { registerJobsDelete } from './routes/jobs.delete.ts';
import { registerDeletedJobs } from './routes/jobs.deleted.ts';
import { registerJobsGet } from './routes/jobs.get.ts';
import { registerJobsList } from './routes/jobs.list.ts';
import { registerJobsResults } from './routes/jobs.results.ts';
import { registerTasksList } from './routes/tasks.list.ts';
import { registerPluginsList } from './routes/plugins.list.ts';
import { registerConnections } from './routes/connections.ts';
import { registerConnectionsUpdate } from './routes/connections.update.ts';
import { registerConnectionsWebhook } from './routes/connections.webhook.ts';
import { registerDashboard } from './dashboard/index.tsx';
import { registerDocs } from './routes/docs.ts';
import { registerExperiments } from './routes/experiments.ts';
import { registerSecretsReseal } from './routes/secrets.reseal.ts';
import { OPENAPI_INFO } from './schemas.ts';

export function createApp(deps: AppDeps): OpenAPIHono {
  const app = new OpenAPIHono({
    defaultHook: (result) => {
      if (!result.success) throw validationProblem(result.error, result.target === 'json' ? '' : `${result.target}.`);
    },
  });
  app.onError(errorHandler(deps.log));
  app.notFound((c) => problemResponse(c, new AppError('not_found', `no route for ${c.req.method} ${c.req.path}`)));

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer' });
  app.use('*', spanRoute);
  app.use('/v1/*', rateLimit({ rps: deps.config.BATCHLINE_RATE_LIMIT_RPS, burst: deps.config.BATCHLINE_RATE_LIMIT_BURST }));
  app.use('/v1/*', timeout(deps.config.BATCHLINE_REQUEST_TIMEOUT_MS, () => new HTTPException(503, { message: 'the request took too long' })));
  // Callbacks and source webhooks are authenticated by their signature, not a bearer token (their
  // senders hold no API key).
  const requireBearer = bearerAuth(deps.config.BATCHLINE_API_KEYS);
  app.use('/v1/*', async function bearerUnlessSigned(c, next) {
    return isSignedEndpoint(c.req.path) ? next() : requireBearer(c, next);
  });
  app.use(
    '/v1/*',
    bodyLimit({
      maxSize: deps.config.BATCHLINE_MAX_BODY_BYTES,
      onError: (c) => problemResponse(c, new AppError('payload_too_large', `the request body is over ${deps.config.BATCHLINE_MAX_BODY_BYTES} bytes`)),
    }),
  );
  app.use('/v1/*', requireJsonBody);

  registerHealth(app, deps);
  registerTasksList(app);
  registerPluginsList(app, deps);
  registerConnections(app, deps);
  registerConnectionsUpdate(app, deps);
  registerConnectionsWebhook(app, deps);
  registerJobsCreate(app, deps);
  registerJobsList(app, deps);
  registerJobsGet(app, deps);
  registerJobsResults(app, deps);
  registerJobsActions(app, deps);
  registerJobsDelete(app, deps);
  registerDeletedJobs(app, deps);
  registerCallbacks(app, deps);
  registerDeliveries(app, deps);
  registerExperiments(app, deps);
  registerSecretsReseal(app, deps);
  registerDashboard(app, deps);

  app.doc31('/openapi.json', OPENAPI_INFO);
  registerDocs(app);
  return app;
}

function isSignedEndpoint(path: string): boolean {
  return path.startsWith('/v1/callbacks/') || /^\/v1\/connections\/[^/]+\/webhook$/.test(path);
}

/** A body that is not JSON would otherwise validate as `{}` and produce misleading "field required" errors. */
const requireJsonBody: MiddlewareHandler = async function requireJsonBody(c, next) {
  const length = Number(c.req.header('content-length') ?? '0');
  const hasBody = length > 0 || c.req.header('transfer-encoding') !== undefined;
  const type = (c.req.header('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  // A form's content type is refused even with an empty body: otherwise any web page could make a
  // browser POST (cancel, retry) to an open server on localhost (cross-site request forgery).
  if ((c.req.method === 'POST' || c.req.method === 'PATCH') && (hasBody || type !== '') && !/^application\/([\w.-]+\+)?json$/.test(type)) {
    return problemResponse(c, new AppError('unsupported_media_type', 'send the body as application/json'));
  }
  return next();
};
