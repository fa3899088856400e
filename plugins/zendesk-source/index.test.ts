// The `zendesk` source's reads against a fake Zendesk speaking the real wire format: the incremental
// export page by page with its cursor, resuming on a later job, rate limits, refused credentials, OAuth,
// search queries and comments.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { pino } from 'pino';
import { SourceFatalError, type SourceContext, type SourceDocument } from '../../src/plugins/contract.ts';
import { startFakeZendesk, type FakeZendesk } from '../../test/fakes/zendesk.ts';
import { zendeskClient } from './client.ts';
import { zendeskSource, type ZendeskSourceConfig } from './index.ts';

const EMAIL = 'agent@example.com';
const API_TOKEN = 'tok-7d1e9a4c2b8f';
const BASIC = Buffer.from(`${EMAIL}/token:${API_TOKEN}`).toString('base64');
const EXPORT = '/api/v2/incremental/tickets/cursor.json';

interface Recorder {
  ctx: SourceContext;
  /** What happened, in order: `doc:<id>` and `checkpoint`. */
  events: string[];
  checkpoints: unknown[];
  /** Raw JSON log lines. */
  logs: string[];
}

function recorder(options: { cursor?: unknown; connection?: string | undefined; onCheckpoint?: (index: number) => void } = {}): Recorder {
  const events: string[] = [];
  const checkpoints: unknown[] = [];
  const logs: string[] = [];
  const ctx: SourceContext = {
    log: pino({ level: 'debug' }, { write: (line: string) => void logs.push(line) }),
    fileRoots: [],
    signal: new AbortController().signal,
    cursor: options.cursor,
    connection: 'connection' in options ? options.connection : 'support',
    checkpoint: async (cursor) => {
      checkpoints.push(cursor);
      events.push('checkpoint');
      options.onCheckpoint?.(checkpoints.length - 1);
    },
  };
  return { ctx, events, checkpoints, logs };
}

async function readAll(config: ZendeskSourceConfig, rec: Recorder): Promise<SourceDocument[]> {
  const docs: SourceDocument[] = [];
  for await (const doc of zendeskSource.read(config, rec.ctx)) {
    docs.push(doc);
    rec.events.push(`doc:${doc.id}`);
  }
  return docs;
}

let zd: FakeZendesk;
const configFor = (extra: Record<string, unknown> = {}, server = () => zd): ZendeskSourceConfig =>
  zendeskSource.configSchema.parse({ base_url: server().url, email: EMAIL, api_token: API_TOKEN, per_page: 10, ...extra });
const exportRequests = () => zd.requests.filter((r) => r.path === EXPORT);
const ids = (docs: SourceDocument[]) => docs.map((d) => d.id);

before(async () => {
  zd = await startFakeZendesk({
    email: EMAIL,
    apiToken: API_TOKEN,
    oauthToken: 'oauth-9f8e7d',
    tickets: Array.from({ length: 25 }, (_, i) => ({ id: i + 1, priority: i % 2 === 0 ? 'high' : null, tags: ['billing'], group_id: 77 })),
  });
});
after(() => zd.close());

let firstCursor: unknown;

test('the export reads every ticket page by page to end_of_stream, checkpointing after each page', async () => {
  zd.requests.length = 0;
  const rec = recorder();
  const docs = await readAll(configFor(), rec);

  assert.deepEqual(ids(docs), Array.from({ length: 25 }, (_, i) => String(i + 1)));
  const pages = exportRequests();
  assert.equal(pages.length, 3);
  assert.deepEqual(pages[0]?.query, { start_time: '0', per_page: '10', exclude_deleted: 'true' });
  assert.equal(pages[0]?.headers.authorization, `Basic ${BASIC}`);
  // Every later page asks with the cursor just saved, and the last page's cursor is saved too.
  assert.equal(rec.checkpoints.length, 3);
  assert.deepEqual(pages.slice(1).map((p) => p.query.cursor), rec.checkpoints.slice(0, 2).map((c) => (c as { after_cursor: string }).after_cursor));
  for (const c of rec.checkpoints) assert.deepEqual(Object.keys(c as object), ['after_cursor']);
  // Each checkpoint comes right after its page's documents, so the engine stores them together.
  const docsAtCheckpoint: number[] = [];
  let yielded = 0;
  for (const event of rec.events) {
    if (event === 'checkpoint') docsAtCheckpoint.push(yielded);
    else yielded += 1;
  }
  assert.deepEqual(docsAtCheckpoint, [10, 20, 25]);
  assert.equal(rec.events.at(-1), 'checkpoint');

  const first = docs[0];
  assert.equal(first?.title, 'Ticket 1');
  assert.equal(first?.text, 'Ticket 1\n\nThe customer wrote about problem number 1.');
  const ticket = zd.tickets.get(1);
  assert.deepEqual(first?.metadata, {
    ticket_id: 1,
    status: 'open',
    priority: 'high',
    tags: ['billing'],
    created_at: ticket?.created_at,
    updated_at: ticket?.updated_at,
    channel: 'email',
    requester_id: 9001,
    group_id: 77,
  });
  assert.equal(docs[1]?.metadata?.priority, undefined, 'null fields are left out');
  firstCursor = rec.checkpoints.at(-1);
});

test('a later read from the saved cursor returns only the tickets added or changed since', async () => {
  const unchanged = await readAll(configFor(), recorder({ cursor: firstCursor }));
  assert.deepEqual(unchanged, []);

  zd.addTicket({ subject: 'Refund not received' });
  zd.addTicket({ subject: 'Cannot log in' });
  const rec = recorder({ cursor: firstCursor });
  const added = await readAll(configFor(), rec);
  assert.deepEqual(ids(added), ['26', '27']);
  assert.equal(added[0]?.title, 'Refund not received');

  zd.touchTicket(3, { status: 'pending' });
  const changed = await readAll(configFor(), recorder({ cursor: rec.checkpoints.at(-1) }));
  assert.deepEqual(ids(changed), ['3']);
  assert.equal(changed[0]?.metadata?.status, 'pending');
});

test('a 429 with Retry-After in the middle of the export is waited out, losing and repeating nothing', async () => {
  zd.requests.length = 0;
  const rec = recorder({ onCheckpoint: (i) => i === 0 && zd.failNext('429', 1, 1, EXPORT) });
  const started = Date.now();
  const docs = await readAll(configFor(), rec);
  const elapsed = Date.now() - started;

  assert.equal(docs.length, 27);
  assert.equal(new Set(ids(docs)).size, 27, 'no ticket read twice');
  assert.ok(elapsed >= 950, `waited ${elapsed} ms for Retry-After: 1`);
  const pages = exportRequests();
  assert.equal(pages.length, 4, 'three pages, the second asked for twice');
  assert.equal(pages[1]?.query.cursor, pages[2]?.query.cursor);
  assert.equal(rec.checkpoints.length, 3);
  const warning = rec.logs.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.level === 40);
  assert.equal(warning?.wait_ms, 1000);
  assert.equal(warning?.connection, 'support');
});

test('a Retry-After longer than max_retry_wait_ms is cut to it', async () => {
  const rec = recorder();
  zd.failNext('429', 1, 30, EXPORT);
  const started = Date.now();
  const docs = await readAll(configFor({ max_retry_wait_ms: 200, per_page: 1000 }), rec);
  assert.equal(docs.length, 27);
  assert.ok(Date.now() - started < 5000);
});

test('a read waiting out a rate limit stops at once when its signal aborts', async () => {
  const controller = new AbortController();
  const rec = recorder();
  zd.failNext('429', 1, 60, EXPORT);
  setTimeout(() => controller.abort(), 100);
  const started = Date.now();
  await assert.rejects(readAll(configFor(), { ...rec, ctx: { ...rec.ctx, signal: controller.signal } }), { name: 'AbortError' });
  assert.ok(Date.now() - started < 2000);
  assert.deepEqual(rec.checkpoints, []);
});

test('a 500 is retried and the read goes on', async () => {
  zd.requests.length = 0;
  zd.failNext('500', 1, undefined, EXPORT);
  const docs = await readAll(configFor({ per_page: 1000 }), recorder());
  assert.equal(docs.length, 27);
  assert.equal(exportRequests().length, 2);
});

test('Zendesk failing again and again ends the read with a plain error, for the engine to retry later', async () => {
  zd.failNext('500', 3, undefined, EXPORT);
  const rec = recorder();
  const get = zendeskClient(configFor(), rec.ctx, { retryDelaysMs: [10, 10] });
  await assert.rejects(get(`${EXPORT}?start_time=0`), (error: unknown) => {
    assert.ok(error instanceof Error);
    assert.ok(!(error instanceof SourceFatalError));
    assert.match(error.message, /HTTP 500.*gave up after 3 attempts/);
    return true;
  });
});

test('refused credentials end the read with a SourceFatalError naming the connection, never the token', async () => {
  const rec = recorder();
  const wrong = configFor({ api_token: 'tok-wrong-5a5a5a' });
  await assert.rejects(readAll(wrong, rec), (error: unknown) => {
    assert.ok(error instanceof SourceFatalError);
    assert.equal(error.message, 'zendesk connection "support" was refused by Zendesk (HTTP 401): check its email and api_token or oauth_token');
    return true;
  });
  const all = rec.logs.join('\n');
  for (const secret of ['tok-wrong-5a5a5a', `${EMAIL}/token:tok-wrong-5a5a5a`, Buffer.from(`${EMAIL}/token:tok-wrong-5a5a5a`).toString('base64')]) {
    assert.ok(!all.includes(secret), 'logs carry no credential');
  }
  assert.deepEqual(rec.checkpoints, []);

  await assert.rejects(readAll(configFor({ email: undefined, api_token: undefined, oauth_token: 'not-it' }), recorder({ connection: undefined })), {
    name: 'ZendeskRefusedError',
    message: 'zendesk connection "(inline config)" was refused by Zendesk (HTTP 401): check its email and api_token or oauth_token',
  });
});

test('an OAuth token is sent as a Bearer token', async () => {
  zd.requests.length = 0;
  const docs = await readAll(configFor({ email: undefined, api_token: undefined, oauth_token: 'oauth-9f8e7d', per_page: 1000 }), recorder());
  assert.equal(docs.length, 27);
  assert.equal(exportRequests()[0]?.headers.authorization, 'Bearer oauth-9f8e7d');
});

test('a streaming config reads nothing and keeps the job open for webhooks', async () => {
  zd.requests.length = 0;
  const config = configFor({ stream: true, webhook_secret: 'whsec' });
  assert.deepEqual(await readAll(config, recorder()), []);
  assert.equal(zd.requests.length, 0);
  assert.deepEqual(zendeskSource.follow?.(config), {});
  assert.equal(zendeskSource.follow?.(configFor()), undefined);
});

test('a search query reads its tickets page by page and the next read only what changed since', async () => {
  const old = '2024-05-01T12:00:00Z';
  const search = await startFakeZendesk({
    email: EMAIL,
    apiToken: API_TOKEN,
    tickets: Array.from({ length: 30 }, (_, i) => ({ id: i + 1, status: i % 3 === 0 ? 'pending' : 'open', updated_at: `2024-05-01T12:00:${String(i).padStart(2, '0')}Z`, created_at: old })),
  });
  try {
    const config = configFor({ query: 'status:pending', per_page: 4 }, () => search);
    const rec = recorder();
    const docs = await readAll(config, rec);
    assert.deepEqual(ids(docs), ['1', '4', '7', '10', '13', '16', '19', '22', '25', '28']);
    const pages = search.requests.filter((r) => r.path === '/api/v2/search/export.json');
    assert.equal(pages.length, 3);
    assert.deepEqual(pages[0]?.query, { query: 'status:pending', 'filter[type]': 'ticket', 'page[size]': '4' });
    assert.ok(pages[1]?.query['page[after]']);
    assert.deepEqual(rec.checkpoints, [{ updated_after: '2024-05-01T12:00:27Z' }]);

    search.touchTicket(4, { subject: 'Still waiting' });
    search.touchTicket(5);
    search.requests.length = 0;
    const next = recorder({ cursor: rec.checkpoints.at(-1) });
    const changed = await readAll(config, next);
    assert.deepEqual(ids(changed), ['4']);
    assert.equal(changed[0]?.title, 'Still waiting');
    assert.equal(search.requests[0]?.query.query, 'status:pending updated>2024-05-01T12:00:27Z');
    assert.deepEqual(next.checkpoints, [{ updated_after: search.tickets.get(4)?.updated_at }]);
  } finally {
    await search.close();
  }
});

test('include_comments appends every page of the thread, with author, visibility and time', async () => {
  const threads = await startFakeZendesk({ email: EMAIL, apiToken: API_TOKEN, tickets: [{ id: 7, subject: 'Charged twice', description: 'I was charged twice in May.' }] });
  try {
    threads.addComment(7, { body: 'I was charged twice in May.', author_id: 501, created_at: '2024-05-01T12:00:00Z' });
    threads.addComment(7, { body: 'Looks like a duplicate capture.', public: false, author_id: 900, created_at: '2024-05-01T12:05:00Z' });
    for (let i = 0; i < 120; i++) threads.addComment(7, { body: `Follow-up ${i}`, author_id: 501, created_at: '2024-05-02T09:00:00Z' });
    const [doc] = await readAll(configFor({ include_comments: true }, () => threads), recorder());
    assert.equal(doc?.id, '7');
    const text = doc?.text ?? '';
    assert.ok(text.startsWith('Charged twice\n\nI was charged twice in May.\n\nComments:\n\n[2024-05-01T12:05:00Z] author 900, internal note:\nLooks like a duplicate capture.'));
    assert.equal(text.split('I was charged twice in May.').length, 2, 'the first comment repeating the description is not repeated');
    assert.ok(text.includes('[2024-05-02T09:00:00Z] author 501, public:\nFollow-up 0'));
    assert.ok(text.endsWith('Follow-up 119'));
    const commentPages = threads.requests.filter((r) => r.path === '/api/v2/tickets/7/comments.json');
    assert.equal(commentPages.length, 2);
    assert.equal(commentPages[0]?.query['page[size]'], '100');
    assert.ok(commentPages[1]?.query['page[after]']);
  } finally {
    await threads.close();
  }
});
