// A fake Zendesk Support API for tests, speaking the wire format of shared/reference/formats.md section A:
// token or OAuth auth, PUT update_many answering a job status, job statuses that move queued → working →
// completed as they are polled, and single-ticket reads. Every request is recorded for assertions.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TicketComment {
  id: number;
  body: string;
  public: boolean;
  created_at: string;
}

export interface Ticket {
  id: number;
  subject: string;
  status: string;
  priority: string | null;
  tags: string[];
  custom_fields: Array<{ id: number; value: unknown }>;
  updated_at: string;
  /** Not part of Zendesk's ticket object (comments have their own endpoint); kept here for assertions. */
  comments: TicketComment[];
}

export interface RecordedRequest {
  method: string;
  /** Path without the query string, e.g. `/api/v2/tickets/update_many.json`. */
  path: string;
  query: Record<string, string>;
  /** Lower-case header names, as node:http gives them. */
  headers: http.IncomingHttpHeaders;
  /** Parsed JSON body, the raw text when it is not JSON, undefined when empty. */
  body: unknown;
}

export interface FakeZendeskOptions {
  /** Tickets that exist: ids, or partial tickets with an id. */
  tickets?: Array<number | (Partial<Ticket> & { id: number })>;
  email?: string;
  apiToken?: string;
  oauthToken?: string;
  /** Polls a job answers before it is completed (the first is `working`). Default 2. */
  pollsToComplete?: number;
}

export type FailureKind = '429' | '500';

export interface FakeZendesk {
  url: string;
  close(): Promise<void>;
  requests: RecordedRequest[];
  tickets: Map<number, Ticket>;
  /** The next `times` requests (optionally only those whose path starts with `pathPrefix`) fail this way. */
  failNext(kind: FailureKind, times: number, retryAfterSeconds?: number, pathPrefix?: string): void;
}

interface JobEntry {
  id: string;
  polls: number;
  total: number;
  updates: Array<Record<string, unknown>>;
  results: Array<Record<string, unknown>> | null;
}

interface PlannedFailure {
  kind: FailureKind;
  retryAfterSeconds: number;
  pathPrefix: string | undefined;
}

const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

export async function startFakeZendesk(options: FakeZendeskOptions = {}): Promise<FakeZendesk> {
  const email = options.email ?? 'agent@example.com';
  const apiToken = options.apiToken ?? 'fake-api-token';
  const oauthToken = options.oauthToken ?? 'fake-oauth-token';
  const pollsToComplete = options.pollsToComplete ?? 2;
  const basic = `Basic ${Buffer.from(`${email}/token:${apiToken}`).toString('base64')}`;

  const tickets = new Map<number, Ticket>();
  for (const seed of options.tickets ?? []) {
    const t = typeof seed === 'number' ? { id: seed } : seed;
    tickets.set(t.id, { subject: `Ticket ${t.id}`, status: 'open', priority: null, tags: [], custom_fields: [], updated_at: now(), comments: [], ...t });
  }
  const requests: RecordedRequest[] = [];
  const jobs = new Map<string, JobEntry>();
  const failures: PlannedFailure[] = [];
  let nextCommentId = 1;
  let url = '';

  const send = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    const type = typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8';
    res.writeHead(status, { 'content-type': type, 'x-rate-limit': '700', 'x-rate-limit-remaining': '699', ...headers });
    res.end(text);
  };

  const jobStatusOf = (job: JobEntry, status: string) => ({
    job_status: {
      id: job.id,
      url: `${url}/api/v2/job_statuses/${job.id}.json`,
      status,
      job_type: 'Bulk Update',
      total: job.total,
      progress: status === 'completed' ? job.total : status === 'working' ? Math.floor(job.total / 2) : null,
      message: status === 'completed' ? `Completed at ${new Date().toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, ' +0000')}` : null,
      results: status === 'completed' ? job.results : null,
    },
  });

  /** Runs a job's updates against the tickets, as Zendesk's worker would. */
  const runJob = (job: JobEntry) => {
    job.results = job.updates.map((update) => {
      const id = Number(update.id);
      const ticket = tickets.get(id);
      if (!ticket) return { id, action: 'update', success: false, status: 'Failed', error: 'RecordNotFound', details: `Ticket ${String(update.id)} not found` };
      applyUpdate(ticket, update);
      return { id, action: 'update', success: true, status: 'Updated' };
    });
  };

  const applyUpdate = (ticket: Ticket, update: Record<string, unknown>) => {
    const strings = (v: unknown) => (Array.isArray(v) ? v.map(String) : typeof v === 'string' ? v.split(/\s+/).filter(Boolean) : []);
    if (update.tags !== undefined) ticket.tags = [...new Set(strings(update.tags))];
    if (update.additional_tags !== undefined) ticket.tags = [...new Set([...ticket.tags, ...strings(update.additional_tags)])];
    if (update.remove_tags !== undefined) {
      const gone = new Set(strings(update.remove_tags));
      ticket.tags = ticket.tags.filter((t) => !gone.has(t));
    }
    if (Array.isArray(update.custom_fields)) {
      for (const field of update.custom_fields as Array<{ id: number; value: unknown }>) {
        const existing = ticket.custom_fields.find((f) => f.id === Number(field.id));
        if (existing) existing.value = field.value;
        else ticket.custom_fields.push({ id: Number(field.id), value: field.value });
      }
    }
    const comment = update.comment as { body?: unknown; public?: unknown } | undefined;
    if (comment && typeof comment.body === 'string') {
      ticket.comments.push({ id: nextCommentId++, body: comment.body, public: comment.public !== false, created_at: now() });
    }
    if (typeof update.status === 'string') ticket.status = update.status;
    if (typeof update.priority === 'string') ticket.priority = update.priority;
    if (typeof update.subject === 'string') ticket.subject = update.subject;
    ticket.updated_at = now();
  };

  const publicTicket = (t: Ticket) => {
    const { comments: _comments, ...rest } = t;
    return { ...rest, url: `${url}/api/v2/tickets/${t.id}.json`, raw_subject: t.subject, type: null, external_id: null, created_at: t.updated_at };
  };

  const handle = (req: http.IncomingMessage, res: http.ServerResponse, rawBody: string) => {
    const parsedUrl = new URL(req.url ?? '/', 'http://fake');
    const path = parsedUrl.pathname;
    let body: unknown;
    if (rawBody.length > 0) {
      try {
        body = JSON.parse(rawBody) as unknown;
      } catch {
        body = rawBody;
      }
    }
    requests.push({ method: req.method ?? 'GET', path, query: Object.fromEntries(parsedUrl.searchParams), headers: req.headers, body });

    const auth = req.headers.authorization;
    if (auth !== basic && auth !== `Bearer ${oauthToken}`) return send(res, 401, { error: "Couldn't authenticate you" });

    const planned = failures.findIndex((f) => f.pathPrefix === undefined || path.startsWith(f.pathPrefix));
    if (planned >= 0) {
      const [failure] = failures.splice(planned, 1);
      if (failure?.kind === '429') return send(res, 429, 'Rate limit exceeded', { 'retry-after': String(failure.retryAfterSeconds) });
      if (failure?.kind === '500') return send(res, 500, { error: 'InternalServerError', description: 'Something went wrong' });
    }

    if (req.method === 'PUT' && path === '/api/v2/tickets/update_many.json') {
      if (!String(req.headers['content-type']).startsWith('application/json')) return send(res, 400, { error: 'InvalidContentType', description: 'Content-Type must be application/json' });
      const payload = (body ?? {}) as { tickets?: unknown; ticket?: unknown };
      let updates: Array<Record<string, unknown>>;
      if (parsedUrl.searchParams.has('ids')) {
        const ids = (parsedUrl.searchParams.get('ids') ?? '').split(',').filter(Boolean);
        if (typeof payload.ticket !== 'object' || payload.ticket === null) return send(res, 400, { error: 'InvalidValue', description: 'ticket is required with ids' });
        updates = ids.map((id) => ({ ...(payload.ticket as Record<string, unknown>), id: Number(id) }));
      } else {
        if (!Array.isArray(payload.tickets)) return send(res, 400, { error: 'InvalidValue', description: 'tickets is required' });
        updates = payload.tickets as Array<Record<string, unknown>>;
      }
      if (updates.length === 0 || updates.length > 100) return send(res, 400, { error: 'InvalidValue', description: 'between 1 and 100 tickets per request' });
      if (!updates.every((u) => Number.isInteger(u.id))) return send(res, 400, { error: 'InvalidValue', description: 'every ticket needs an integer id' });
      const job: JobEntry = { id: randomBytes(16).toString('hex'), polls: 0, total: updates.length, updates, results: null };
      jobs.set(job.id, job);
      return send(res, 200, jobStatusOf(job, 'queued'));
    }

    const jobMatch = /^\/api\/v2\/job_statuses\/([^/]+)\.json$/.exec(path);
    if (req.method === 'GET' && jobMatch) {
      const job = jobs.get(jobMatch[1] ?? '');
      if (!job) return send(res, 404, { error: 'RecordNotFound', description: 'Not found' });
      job.polls += 1;
      if (job.polls < pollsToComplete) return send(res, 200, jobStatusOf(job, 'working'));
      if (job.results === null) runJob(job);
      return send(res, 200, jobStatusOf(job, 'completed'));
    }

    const ticketMatch = /^\/api\/v2\/tickets\/(\d+)(\/comments)?\.json$/.exec(path);
    if (req.method === 'GET' && ticketMatch) {
      const ticket = tickets.get(Number(ticketMatch[1]));
      if (!ticket) return send(res, 404, { error: 'RecordNotFound', description: 'Not found' });
      if (ticketMatch[2]) return send(res, 200, { comments: ticket.comments, next_page: null, previous_page: null, count: ticket.comments.length });
      return send(res, 200, { ticket: publicTicket(ticket) });
    }

    return send(res, 404, { error: 'InvalidEndpoint', description: 'Not found' });
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    requests,
    tickets,
    failNext(kind, times, retryAfterSeconds = 1, pathPrefix) {
      for (let i = 0; i < times; i++) failures.push({ kind, retryAfterSeconds, pathPrefix });
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
