// Dispatches one HTTP request: route match, body, auth and version checks, injected faults, then the handler.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorTypeForStatus, takeHttpFault } from './faults.ts';
import { readBody, sendError, type Exchange } from './http-io.ts';
import { newRequestId } from './ids.ts';
import { batchResults } from './routes/batches.results.ts';
import { cancelBatch } from './routes/batches.cancel.ts';
import { createBatch } from './routes/batches.create.ts';
import { deleteBatch } from './routes/batches.delete.ts';
import { listBatchesRoute } from './routes/batches.list.ts';
import { retrieveBatch } from './routes/batches.retrieve.ts';
import type { RouteHandler } from './routes/context.ts';
import { forgetBatch, getFaults, getStats, setFaults, setNotify, setProcessingMs } from './routes/control.ts';
import { getErrorRates, setErrorRates } from './routes/error-rates.ts';
import { countTokens } from './routes/messages.count-tokens.ts';
import { createMessage } from './routes/messages.create.ts';
import type { SimState } from './state.ts';
import { bump } from './stats.ts';
import type { FaultRoute } from './types.ts';

interface Route {
  method: string;
  path: RegExp;
  /** API routes are authenticated, counted and can be faulted; control routes are none of these. */
  name: FaultRoute | 'control';
  handle: RouteHandler;
}

const BATCH = '/v1/messages/batches';
const ROUTES: Route[] = [
  { method: 'POST', path: /^\/v1\/messages\/batches\/?$/, name: 'create', handle: createBatch },
  { method: 'GET', path: /^\/v1\/messages\/batches\/?$/, name: 'list', handle: listBatchesRoute },
  { method: 'GET', path: /^\/v1\/messages\/batches\/([^/]+)\/?$/, name: 'retrieve', handle: retrieveBatch },
  { method: 'DELETE', path: /^\/v1\/messages\/batches\/([^/]+)\/?$/, name: 'delete', handle: deleteBatch },
  { method: 'POST', path: /^\/v1\/messages\/batches\/([^/]+)\/cancel\/?$/, name: 'cancel', handle: cancelBatch },
  { method: 'GET', path: /^\/v1\/messages\/batches\/([^/]+)\/results\/?$/, name: 'results', handle: batchResults },
  { method: 'POST', path: /^\/v1\/messages\/count_tokens\/?$/, name: 'count_tokens', handle: countTokens },
  { method: 'POST', path: /^\/v1\/messages\/?$/, name: 'messages', handle: createMessage },
  { method: 'GET', path: /^\/_simulator\/stats\/?$/, name: 'control', handle: getStats },
  { method: 'GET', path: /^\/_simulator\/faults\/?$/, name: 'control', handle: getFaults },
  { method: 'POST', path: /^\/_simulator\/faults\/?$/, name: 'control', handle: setFaults },
  { method: 'POST', path: /^\/_simulator\/processing-ms\/?$/, name: 'control', handle: setProcessingMs },
  { method: 'POST', path: /^\/_simulator\/notify\/?$/, name: 'control', handle: setNotify },
  { method: 'POST', path: /^\/_simulator\/batches\/([^/]+)\/forget\/?$/, name: 'control', handle: forgetBatch },
  { method: 'GET', path: /^\/_simulator\/error-rates\/?$/, name: 'control', handle: getErrorRates },
  { method: 'POST', path: /^\/_simulator\/error-rates\/?$/, name: 'control', handle: setErrorRates },
];

function matchRoute(method: string, pathname: string): { route: Route; id: string } | null {
  for (const route of ROUTES) {
    if (route.method !== method) continue;
    const match = route.path.exec(pathname);
    if (match) return { route, id: match[1] === undefined ? '' : safeDecode(match[1]) };
  }
  return null;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

// The SDK sends the key as `Authorization: Bearer` (reference §1); `x-api-key` is accepted too.
function presentedKey(req: IncomingMessage): string {
  const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '');
  const headerKey = req.headers['x-api-key'];
  return (bearer?.[1] ?? (typeof headerKey === 'string' ? headerKey : '')).trim();
}

/** Refuses the call (and returns false) when the credentials or the anthropic-version header are missing. */
function checkCaller(ex: Exchange, sim: SimState): boolean {
  const key = presentedKey(ex.req);
  if (key === '') {
    sendError(ex, 401, 'authentication_error', 'x-api-key header or Authorization: Bearer token is required');
    return false;
  }
  if (sim.apiKey !== null && key !== sim.apiKey) {
    sendError(ex, 401, 'authentication_error', 'invalid x-api-key');
    return false;
  }
  if (!ex.req.headers['anthropic-version']) {
    sendError(ex, 400, 'invalid_request_error', 'anthropic-version: header is required');
    return false;
  }
  return true;
}

/** Answers with an injected fault if one is pending for this route; returns whether it did. */
function answeredByFault(ex: Exchange, sim: SimState, route: FaultRoute): boolean {
  const fault = takeHttpFault(sim.faults, route);
  if (fault === null) return false;
  const headers: Record<string, string> = {};
  const retryAfter = fault.retryAfterSeconds ?? (fault.status === 429 ? 1 : undefined);
  if (retryAfter !== undefined) headers['retry-after'] = String(retryAfter);
  sendError(ex, fault.status, errorTypeForStatus(fault.status), `Simulated ${fault.status} on ${route}`, headers);
  return true;
}

export async function handleRequest(sim: SimState, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const ex: Exchange = { req, res, requestId: newRequestId() };
  res.setHeader('request-id', ex.requestId);
  const url = new URL(req.url ?? '/', 'http://simulator.invalid');
  const method = req.method ?? 'GET';
  const matched = matchRoute(method, url.pathname);
  // Read (or drain) the body first, so every answer below reaches a client that has finished sending.
  const body = await readBody(req, sim.maxBodyBytes);
  if (matched === null) {
    const hint = url.pathname.startsWith(BATCH) ? ' (check the method and the batch id)' : '';
    return sendError(ex, 404, 'not_found_error', `No route for ${method} ${url.pathname}${hint}`);
  }
  const { route, id } = matched;
  if (route.name !== 'control') {
    bump(sim.counters.callsByRoute, route.name);
    if (!checkCaller(ex, sim)) return;
    if (answeredByFault(ex, sim, route.name)) return;
  }
  if (body.tooLarge) {
    return sendError(ex, 413, 'request_too_large', `Request exceeds the maximum size of ${sim.maxBodyBytes} bytes`);
  }
  const origin = req.headers.host ? `http://${req.headers.host}` : sim.origin;
  await route.handle({ sim, ex, id, query: url.searchParams, bodyText: body.text, origin });
}
