// A fake Zendesk Support API for tests, speaking the wire format of shared/reference/formats.md section A:
// token or OAuth auth, PUT update_many answering a job status, job statuses that move queued → working →
// completed as they are polled, single-ticket reads, the cursor-based incremental ticket export, the search
// export and ticket comments. Every request is recorded for assertions. It can also play Zendesk's
// webhooks (event subscriptions, signed as Zendesk signs them: base64 HMAC-SHA256 of timestamp + body)
// for every ticket change, its own API user's updates included, and rotate its API token.
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TicketComment {
  id: number;
  body: string;
  public: boolean;
  created_at: string;
  /** Who wrote it; served as the ticket's requester when unset. */
  author_id?: number;
  /** Served as `body` when unset. */
  plain_body?: string;
}

export interface Ticket {
  id: number;
  subject: string;
  status: string;
  priority: string | null;
  tags: string[];
  custom_fields: Array<{ id: number; value: unknown }>;
  updated_at: string;
  created_at: string;
  description: string;
  type: string | null;
  requester_id: number;
  group_id: number | null;
  organization_id: number | null;
  /** `via.channel` on the wire. */
  channel: string;
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
  /** Zendesk user id of the API user (the `actor_id` of the changes made through the API). Default 9999. */
  apiUserId?: number;
}

/** A webhook the fake sent, with Batchline's answer. */
export interface SentWebhook {
  type: string;
  ticketId: number;
  updatedAt: string;
  actorId: number;
  status: number;
  answer: unknown;
}

export type FailureKind = '429' | '500';

export interface FakeZendesk {
  url: string;
  close(): Promise<void>;
  requests: RecordedRequest[];
  tickets: Map<number, Ticket>;
  /** The next `times` requests (optionally only those whose path starts with `pathPrefix`) fail this way. */
  failNext(kind: FailureKind, times: number, retryAfterSeconds?: number, pathPrefix?: string): void;
  /** Creates a ticket (next free id unless given), changed now: the incremental export lists it after every cursor handed out so far. */
  addTicket(ticket?: Partial<Ticket>): Ticket;
  /** Changes a ticket (fields given, if any) and its updated_at, moving it after every cursor handed out so far. */
  touchTicket(id: number, changes?: Partial<Omit<Ticket, 'id'>>): Ticket;
  /** Adds a comment to a ticket (as a new comment does in Zendesk, the ticket counts as changed). */
  addComment(ticketId: number, comment: Partial<TicketComment> & { body: string }): TicketComment;
  /** Moves the fake's clock (updated_at, Date headers) ahead, as if that much time had passed. */
  advanceClock(ms: number): void;
  /** From now on only this API token signs in (the old one is revoked, as after a rotation in Admin Center). */
  setApiToken(token: string): void;
  /**
   * Sends a signed event-subscription webhook (`zen:event-type:ticket.*`) to `url` for every ticket change
   * from now on: creations, and each kind of change an update makes (tags, comment, status, priority).
   */
  sendWebhooks(url: string, signingSecret: string): void;
  /** Resolves once every webhook sent so far has been answered. */
  webhooksSettled(): Promise<void>;
  webhooks: SentWebhook[];
  /** Called (and awaited) before each incremental export page is answered: a test may change tickets, or rotate the token, mid-export. */
  onExportPage(hook: ((page: number) => void | Promise<void>) | undefined): void;
  /**
   * Routes this process's fetch of `https://<subdomain>.zendesk.com/…` to the fake, so a connection
   * configured with a subdomain, as users configure it, reaches it. Returns the undo.
   */
  routeSubdomain(subdomain: string): () => void;
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


/** A place in the incremental export: tickets are listed by updated_at (seconds), then by the order they changed in. */
interface ExportPosition {
  t: number;
  seq: number;
}

const encodeCursor = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function decodeCursor(cursor: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const secondsOf = (iso: string) => Math.floor(Date.parse(iso) / 1000);

/** The Zendesk search syntax the fake understands: `status:x`, `tags:x`, `updated>…`/`updated<…`, `created>…`/`created<…`, `type:ticket`, plain words. */
function searchMatcher(query: string): (t: Ticket) => boolean {
  const tests: Array<(t: Ticket) => boolean> = [];
  for (const token of query.trim().split(/\s+/).filter(Boolean)) {
    const field = /^(status|priority|tags?|type|ticket_type|updated|created)([:<>]=?)(.+)$/i.exec(token);
    if (!field) {
      const word = token.replace(/^"|"$/g, '').toLowerCase();
      tests.push((t) => `${t.subject} ${t.description}`.toLowerCase().includes(word));
      continue;
    }
    const [, rawName = '', op = ':', value = ''] = field;
    const name = rawName.toLowerCase();
    if (name === 'updated' || name === 'created') {
      const bound = Date.parse(value);
      const at = (t: Ticket) => Date.parse(name === 'updated' ? t.updated_at : t.created_at);
      if (op === '>') tests.push((t) => at(t) > bound);
      else if (op === '>=') tests.push((t) => at(t) >= bound);
      else if (op === '<') tests.push((t) => at(t) < bound);
      else if (op === '<=') tests.push((t) => at(t) <= bound);
      else tests.push((t) => new Date(at(t)).toISOString().slice(0, 10) === value.slice(0, 10));
    } else if (name === 'status') tests.push((t) => t.status === value.toLowerCase());
    else if (name === 'priority') tests.push((t) => t.priority === value.toLowerCase());
    else if (name === 'tag' || name === 'tags') tests.push((t) => t.tags.includes(value));
    else if (name === 'ticket_type') tests.push((t) => t.type === value.toLowerCase());
    // `type:ticket` names the result type, which filter[type] already pins down.
    else tests.push((t) => value.toLowerCase() === 'ticket');
  }
  return (t) => tests.every((test) => test(t));
}

export async function startFakeZendesk(options: FakeZendeskOptions = {}): Promise<FakeZendesk> {
  // The fake's clock: real time, moved ahead by advanceClock() (a test that needs time to pass need not wait).
  let clockOffsetMs = 0;
  const nowMs = () => Date.now() + clockOffsetMs;
  const now = () => new Date(nowMs()).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const email = options.email ?? 'agent@example.com';
  const apiToken = options.apiToken ?? 'fake-api-token';
  const oauthToken = options.oauthToken ?? 'fake-oauth-token';
  const pollsToComplete = options.pollsToComplete ?? 2;
  let basic = `Basic ${Buffer.from(`${email}/token:${apiToken}`).toString('base64')}`;
  const apiUserId = options.apiUserId ?? 9999;
  const webhooks: SentWebhook[] = [];
  const inFlightHooks = new Set<Promise<void>>();
  let hookTarget: { url: string; secret: string } | undefined;
  let exportHook: ((page: number) => void | Promise<void>) | undefined;
  let exportPages = 0;

  const tickets = new Map<number, Ticket>();
  /** The order tickets changed in, breaking ties between changes within one second (never on the wire). */
  const changeSeq = new Map<number, number>();
  let lastSeq = 0;
  const markChanged = (id: number) => changeSeq.set(id, ++lastSeq);
  const newTicket = (t: Partial<Ticket> & { id: number }): Ticket => {
    const stamp = now();
    return {
      subject: `Ticket ${t.id}`,
      description: `The customer wrote about problem number ${t.id}.`,
      status: 'open',
      priority: null,
      type: null,
      tags: [],
      custom_fields: [],
      requester_id: 9000 + t.id,
      group_id: null,
      organization_id: null,
      channel: 'email',
      updated_at: stamp,
      created_at: t.updated_at ?? stamp,
      comments: [],
      ...t,
    };
  };
  for (const seed of options.tickets ?? []) {
    const t = newTicket(typeof seed === 'number' ? { id: seed } : seed);
    tickets.set(t.id, t);
    markChanged(t.id);
  }
  const requests: RecordedRequest[] = [];
  const jobs = new Map<string, JobEntry>();
  const failures: PlannedFailure[] = [];
  let nextCommentId = 1;
  let url = '';

  const send = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    const type = typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8';
    // Date in the fake's own clock, as Zendesk's Date is in the clock its updated_at values are.
    res.writeHead(status, { 'content-type': type, date: new Date(nowMs()).toUTCString(), 'x-rate-limit': '700', 'x-rate-limit-remaining': '699', ...headers });
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
    const before = { tags: JSON.stringify(ticket.tags), status: ticket.status, priority: ticket.priority };
    const comment = update.comment as { body?: unknown; public?: unknown } | undefined;
    if (comment && typeof comment.body === 'string') {
      ticket.comments.push({ id: nextCommentId++, body: comment.body, public: comment.public !== false, created_at: now(), author_id: apiUserId });
    }
    if (typeof update.status === 'string') ticket.status = update.status;
    if (typeof update.priority === 'string') ticket.priority = update.priority;
    if (typeof update.subject === 'string') ticket.subject = update.subject;
    ticket.updated_at = now();
    markChanged(ticket.id);
    // One event per kind of change, as Zendesk's event subscriptions send them.
    if (JSON.stringify(ticket.tags) !== before.tags) emit('tags_changed', ticket, apiUserId);
    if (comment && typeof comment.body === 'string') emit('comment_added', ticket, apiUserId, { comment: { id: String(nextCommentId - 1), body: comment.body, is_public: comment.public !== false } });
    if (ticket.status !== before.status) emit('status_changed', ticket, apiUserId);
    if (ticket.priority !== before.priority) emit('priority_changed', ticket, apiUserId);
  };

  /** A signed event-subscription webhook about a ticket (formats.md A, "Outbound webhooks signing"). */
  const emit = (type: string, ticket: Ticket, actorId: number, event: Record<string, unknown> = {}) => {
    if (!hookTarget) return;
    const target = hookTarget;
    const body = JSON.stringify({
      account_id: 12514403,
      detail: {
        actor_id: String(actorId),
        assignee_id: null,
        brand_id: '1',
        created_at: ticket.created_at,
        custom_status: '1',
        description: ticket.description,
        external_id: null,
        form_id: '1',
        group_id: ticket.group_id === null ? null : String(ticket.group_id),
        id: String(ticket.id),
        is_public: true,
        organization_id: ticket.organization_id === null ? null : String(ticket.organization_id),
        priority: ticket.priority === null ? null : ticket.priority.toUpperCase(),
        requester_id: String(ticket.requester_id),
        status: ticket.status.toUpperCase(),
        subject: ticket.subject,
        submitter_id: String(ticket.requester_id),
        tags: [...ticket.tags],
        type: ticket.type === null ? null : ticket.type.toUpperCase(),
        updated_at: ticket.updated_at,
        via: { channel: ticket.channel },
      },
      event,
      id: randomUUID(),
      subject: `zen:ticket:${ticket.id}`,
      time: new Date(nowMs()).toISOString(),
      type: `zen:event-type:ticket.${type}`,
      zendesk_event_version: '2022-11-06',
    });
    const timestamp = new Date(nowMs()).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const signature = createHmac('sha256', target.secret).update(timestamp).update(body).digest('base64');
    const sent: SentWebhook = { type, ticketId: ticket.id, updatedAt: ticket.updated_at, actorId, status: 0, answer: undefined };
    webhooks.push(sent);
    const delivery = (async () => {
      try {
        const res = await fetch(target.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-zendesk-webhook-signature': signature, 'x-zendesk-webhook-signature-timestamp': timestamp, 'user-agent': 'Zendesk Webhook' },
          body,
        });
        sent.status = res.status;
        const text = await res.text();
        try {
          sent.answer = JSON.parse(text) as unknown;
        } catch {
          sent.answer = text;
        }
      } catch (error) {
        sent.status = -1;
        sent.answer = error instanceof Error ? error.message : String(error);
      }
    })();
    inFlightHooks.add(delivery);
    void delivery.finally(() => inFlightHooks.delete(delivery));
  };

  const publicTicket = (t: Ticket) => {
    const { comments: _comments, channel, ...rest } = t;
    return {
      ...rest,
      url: `${url}/api/v2/tickets/${t.id}.json`,
      raw_subject: t.subject,
      external_id: null,
      submitter_id: t.requester_id,
      assignee_id: null,
      brand_id: 1,
      via: { channel, source: { from: {}, to: {}, rel: null } },
    };
  };

  const publicComment = (ticket: Ticket, c: TicketComment) => ({
    id: c.id,
    type: 'Comment',
    author_id: c.author_id ?? ticket.requester_id,
    body: c.body,
    html_body: `<div class="zd-comment"><p>${c.body}</p></div>`,
    plain_body: c.plain_body ?? c.body,
    public: c.public,
    attachments: [],
    audit_id: c.id + 100_000,
    via: { channel: 'web', source: { from: {}, to: {}, rel: null } },
    metadata: { system: {}, custom: {} },
    created_at: c.created_at,
  });

  const badRequest = (res: http.ServerResponse, description: string) => send(res, 400, { error: 'InvalidPaginationParameter', description });

  /** GET /api/v2/incremental/tickets/cursor.json (formats.md A, "Cursor-based incremental ticket export"). */
  const incrementalExport = async (res: http.ServerResponse, params: URLSearchParams) => {
    await exportHook?.(++exportPages);
    let from: ExportPosition;
    const cursor = params.get('cursor');
    if (cursor !== null) {
      const decoded = decodeCursor(cursor);
      if (typeof decoded?.t !== 'number' || typeof decoded.seq !== 'number') return badRequest(res, 'cursor is invalid');
      from = { t: decoded.t, seq: decoded.seq };
    } else if (params.has('start_time')) {
      const start = Number(params.get('start_time'));
      if (!Number.isInteger(start) || start < 0) return badRequest(res, 'start_time must be a Unix time in seconds');
      from = { t: start, seq: -1 };
    } else {
      return badRequest(res, 'start_time or cursor is required');
    }
    const perPage = Math.min(1000, Math.max(1, Number(params.get('per_page') ?? 1000) || 1000));
    const excludeDeleted = params.get('exclude_deleted') === 'true';
    const positionOf = (t: Ticket): ExportPosition => ({ t: secondsOf(t.updated_at), seq: changeSeq.get(t.id) ?? 0 });
    const after = (p: ExportPosition) => p.t > from.t || (p.t === from.t && p.seq > from.seq);
    const listed = [...tickets.values()]
      .filter((t) => !(excludeDeleted && t.status === 'deleted'))
      .map((t) => ({ t, at: positionOf(t) }))
      .filter((e) => after(e.at))
      .sort((a, b) => a.at.t - b.at.t || a.at.seq - b.at.seq || a.t.id - b.t.id);
    const page = listed.slice(0, perPage);
    const last = page.at(-1)?.at ?? from;
    const afterCursor = encodeCursor(last);
    const beforeCursor = page.length > 0 ? encodeCursor(page[0]?.at) : null;
    const endpoint = `${url}/api/v2/incremental/tickets/cursor.json`;
    return send(res, 200, {
      tickets: page.map((e) => publicTicket(e.t)),
      after_cursor: afterCursor,
      before_cursor: beforeCursor,
      after_url: `${endpoint}?cursor=${afterCursor}&per_page=${perPage}`,
      before_url: beforeCursor === null ? null : `${endpoint}?cursor=${beforeCursor}&per_page=${perPage}`,
      end_of_stream: listed.length <= perPage,
    });
  };

  /** GET /api/v2/search/export.json: cursor-paginated search results, in id order. */
  const searchExport = (res: http.ServerResponse, params: URLSearchParams) => {
    const query = params.get('query');
    if (!query) return send(res, 400, { error: 'InvalidValue', description: 'query is required' });
    if (params.get('filter[type]') !== 'ticket') return send(res, 400, { error: 'InvalidValue', description: 'filter[type] is required: one of ticket, user, organization, group' });
    const size = Number(params.get('page[size]') ?? 100);
    if (!Number.isInteger(size) || size < 1 || size > 1000) return badRequest(res, 'page[size] must be between 1 and 1000');
    let afterId = 0;
    const afterCursor = params.get('page[after]');
    if (afterCursor !== null) {
      const decoded = decodeCursor(afterCursor);
      if (typeof decoded?.id !== 'number') return badRequest(res, 'page[after] is invalid');
      afterId = decoded.id;
    }
    const matches = searchMatcher(query);
    const found = [...tickets.values()]
      .filter((t) => t.id > afterId && t.status !== 'deleted' && matches(t))
      .sort((a, b) => a.id - b.id);
    const page = found.slice(0, size);
    const hasMore = found.length > size;
    const lastId = page.at(-1)?.id;
    const nextCursor = hasMore && lastId !== undefined ? encodeCursor({ id: lastId }) : null;
    const beforeCursor = page.length > 0 ? encodeCursor({ id: (page[0]?.id ?? 1) - 1, before: true }) : null;
    const next = new URL(`${url}/api/v2/search/export.json`);
    next.searchParams.set('query', query);
    next.searchParams.set('filter[type]', 'ticket');
    next.searchParams.set('page[size]', String(size));
    if (nextCursor !== null) next.searchParams.set('page[after]', nextCursor);
    return send(res, 200, {
      results: page.map((t) => ({ ...publicTicket(t), result_type: 'ticket' })),
      facets: null,
      meta: { has_more: hasMore, after_cursor: nextCursor, before_cursor: beforeCursor },
      links: { prev: null, next: nextCursor === null ? null : next.toString() },
    });
  };

  /** GET /api/v2/tickets/{id}/comments.json: cursor pagination with page[size], else the older one-page answer. */
  const listComments = (res: http.ServerResponse, ticket: Ticket, params: URLSearchParams) => {
    if (!params.has('page[size]')) {
      return send(res, 200, { comments: ticket.comments.map((c) => publicComment(ticket, c)), next_page: null, previous_page: null, count: ticket.comments.length });
    }
    const size = Number(params.get('page[size]'));
    if (!Number.isInteger(size) || size < 1 || size > 100) return badRequest(res, 'page[size] must be between 1 and 100');
    let start = 0;
    const afterCursor = params.get('page[after]');
    if (afterCursor !== null) {
      const decoded = decodeCursor(afterCursor);
      if (typeof decoded?.index !== 'number') return badRequest(res, 'page[after] is invalid');
      start = decoded.index;
    }
    const page = ticket.comments.slice(start, start + size);
    const hasMore = start + size < ticket.comments.length;
    const nextCursor = hasMore ? encodeCursor({ index: start + size }) : null;
    const endpoint = `${url}/api/v2/tickets/${ticket.id}/comments.json`;
    return send(res, 200, {
      comments: page.map((c) => publicComment(ticket, c)),
      meta: { has_more: hasMore, after_cursor: nextCursor, before_cursor: start > 0 ? encodeCursor({ index: start }) : null },
      links: { prev: null, next: nextCursor === null ? null : `${endpoint}?page%5Bafter%5D=${nextCursor}&page%5Bsize%5D=${size}` },
    });
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

    if (req.method === 'GET' && path === '/api/v2/incremental/tickets/cursor.json') return void incrementalExport(res, parsedUrl.searchParams);
    if (req.method === 'GET' && path === '/api/v2/search/export.json') return searchExport(res, parsedUrl.searchParams);

    const ticketMatch = /^\/api\/v2\/tickets\/(\d+)(\/comments)?\.json$/.exec(path);
    if (req.method === 'GET' && ticketMatch) {
      const ticket = tickets.get(Number(ticketMatch[1]));
      if (!ticket) return send(res, 404, { error: 'RecordNotFound', description: 'Not found' });
      if (ticketMatch[2]) return listComments(res, ticket, parsedUrl.searchParams);
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
    addTicket(partial = {}) {
      const id = partial.id ?? Math.max(0, ...tickets.keys()) + 1;
      const stamp = now();
      const ticket = newTicket({ ...partial, id, updated_at: stamp, created_at: partial.created_at ?? stamp });
      tickets.set(id, ticket);
      markChanged(id);
      emit('created', ticket, ticket.requester_id);
      return ticket;
    },
    touchTicket(id, changes = {}) {
      const ticket = tickets.get(id);
      if (!ticket) throw new Error(`fake Zendesk has no ticket ${id}`);
      Object.assign(ticket, changes, { updated_at: now() });
      markChanged(id);
      return ticket;
    },
    addComment(ticketId, comment) {
      const ticket = tickets.get(ticketId);
      if (!ticket) throw new Error(`fake Zendesk has no ticket ${ticketId}`);
      const added: TicketComment = { id: nextCommentId++, public: true, created_at: now(), ...comment };
      ticket.comments.push(added);
      ticket.updated_at = now();
      markChanged(ticketId);
      emit('comment_added', ticket, added.author_id ?? ticket.requester_id, { comment: { id: String(added.id), body: added.body, is_public: added.public } });
      return added;
    },
    advanceClock(ms) {
      clockOffsetMs += ms;
    },
    setApiToken(token) {
      basic = `Basic ${Buffer.from(`${email}/token:${token}`).toString('base64')}`;
    },
    sendWebhooks(target, secret) {
      hookTarget = { url: target, secret };
    },
    async webhooksSettled() {
      while (inFlightHooks.size > 0) await Promise.all([...inFlightHooks]);
    },
    webhooks,
    onExportPage(hook) {
      exportHook = hook;
      exportPages = 0;
    },
    routeSubdomain(subdomain) {
      const original = globalThis.fetch;
      const prefix = `https://${subdomain}.zendesk.com/`;
      const routed: typeof fetch = (input, init) => {
        const target = typeof input === 'string' ? input : input instanceof URL ? input.href : undefined;
        if (target === undefined || !target.startsWith(prefix)) return original(input, init);
        return original(`${url}/${target.slice(prefix.length)}`, init);
      };
      globalThis.fetch = routed;
      return () => {
        globalThis.fetch = original;
      };
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
