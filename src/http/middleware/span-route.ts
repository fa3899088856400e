// Names the HTTP server span (made by the http instrumentation, when tracing is on) after the matched
// route, `POST /v1/jobs/:id/cancel` rather than `POST`, so traces group by endpoint, not by id.
import { trace } from '@opentelemetry/api';
import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';

export const spanRoute: MiddlewareHandler = async function spanRoute(c, next) {
  await next();
  const span = trace.getActiveSpan();
  if (!span?.isRecording()) return;
  const route = routePath(c, -1);
  if (!route || route === '*' || route === '/*') return;
  span.updateName(`${c.req.method} ${route}`);
  span.setAttribute('http.route', route);
};
