// The Hono application: middleware, every route, the error handler and the OpenAPI document.
import { OpenAPIHono } from '@hono/zod-openapi';
import { HTTPException } from 'hono/http-exception';
import { timeout } from 'hono/timeout';
import { apiAccess } from './middleware/api-access.ts';
import { bodyLimits } from './middleware/body-limits.ts';
import { loopbackHostOnly } from './middleware/host-allowlist.ts';
import { spanRoute } from './middleware/span-route.ts';
import { registerCallbacks } from './routes/callbacks.batches.ts';
import { registerDeliveries } from './routes/deliveries.ts';
import type { MiddlewareHandler } from 'hono';
import { AppError } from '../errors.ts';
import { guessBudget } from './auth.ts';
import { clientAddresses } from './client-address.ts';
import type { AppDeps } from './deps.ts';
import { errorHandler, problemResponse, validationProblem } from './problem.ts';
import { registerHealth } from './routes/health.ts';
import { registerJobsActions } from './routes/jobs.actions.ts';
import { registerJobsCreate } from './routes/jobs.create.ts';
import { registerJobsDelete } from './routes/jobs.delete.ts';
import { registerDeletedJobs } from './routes/jobs.deleted.ts';
import { registerJobsGet } from './routes/jobs.get.ts';
import { registerJobsList } from './routes/jobs.list.ts';
import { registerJobsCorrections } from './routes/jobs.corrections.ts';
import { registerJobsInsights } from './routes/jobs.insights.ts';
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
import { OPENAPI_INFO } from './openapi-info.ts';

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
  app.use('*', loopbackHostOnly({ keys: deps.config.BATCHLINE_API_KEYS, host: deps.config.HOST }));
  // One guess budget per address for the API and the dashboard's login: both present the same keys.
  const guesses = guessBudget();
  const clientAddress = clientAddresses(deps.config.BATCHLINE_TRUSTED_PROXIES);
  app.use('/v1/*', apiAccess({ keys: deps.config.BATCHLINE_API_KEYS, rps: deps.config.BATCHLINE_RATE_LIMIT_RPS, burst: deps.config.BATCHLINE_RATE_LIMIT_BURST, guesses, clientAddress }));
  app.use('/v1/*', timeout(deps.config.BATCHLINE_REQUEST_TIMEOUT_MS, () => new HTTPException(503, { message: 'the request took too long' })));
  // Before any route reads a body, the signed routes' own middleware (webhookSignature) included.
  app.use('/v1/*', bodyLimits({ maxBytes: deps.config.BATCHLINE_MAX_BODY_BYTES }));
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
  registerJobsInsights(app, deps);
  registerJobsCorrections(app, deps);
  registerJobsActions(app, deps);
  registerJobsDelete(app, deps);
  registerDeletedJobs(app, deps);
  registerCallbacks(app, deps);
  registerDeliveries(app, deps);
  registerExperiments(app, deps);
  registerSecretsReseal(app, deps);
  registerDashboard(app, deps, { guesses, clientAddress });

  app.doc31('/openapi.json', OPENAPI_INFO);
  registerDocs(app);
  return app;
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
