// The `zendesk` sink against a fake Zendesk speaking the real wire format: requests, job polling, outcomes.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { pino } from 'pino';
import type { DeliveredResult, SinkContext } from '../../src/plugins/contract.ts';
import { startFakeZendesk, type FakeZendesk } from '../../test/fakes/zendesk.ts';
import { zendeskSink } from './index.ts';

const EMAIL = 'agent@example.com';
const API_TOKEN = 'tok-3f9a1c7e5b2d';

const ctx = (signal = new AbortController().signal): SinkContext => ({ jobId: 'job_1', log: pino({ level: 'silent' }), database: { query: async () => ({ rows: [] }) }, fileRoots: [], signal });

const result = (externalId: string | number, extra: Partial<DeliveredResult> = {}): DeliveredResult => ({
  idempotency_key: `key-${externalId}`,
  job_id: 'job_1',
  item_id: `item-${externalId}`,
  external_id: String(externalId),
  status: 'succeeded',
  output: { category: 'billing', priority: 'high', summary: `Customer ${externalId} was charged twice`, suggested_tags: ['refund', 'double charge'], needs_human: true },
  error: null,
  attempts: 1,
  usage: { input_tokens: 100, output_tokens: 40, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
  metadata: null,
  ...extra,
});

let zd: FakeZendesk;
const configFor = (extra: Record<string, unknown> = {}) =>
  zendeskSink.configSchema.parse({
    base_url: zd.url,
    email: EMAIL,
    api_token: API_TOKEN,
    tags: { from: 'suggested_tags' },
    custom_fields: { '360001': 'category', '360002': 'needs_human' },
    internal_note: 'Batchline triage ({{status}}): {{output.summary}} — priority {{output.priority}}{{error.message}}',
    poll_interval_ms: 200,
    ...extra,
  });

const updateRequests = () => zd.requests.filter((r) => r.method === 'PUT' && r.path === '/api/v2/tickets/update_many.json');

before(async () => {
  zd = await startFakeZendesk({ email: EMAIL, apiToken: API_TOKEN, tickets: [...Array.from({ length: 150 }, (_, i) => i + 1), { id: 500, tags: ['vip'] }] });
});
after(() => zd.close());

test('one update_many request carries added tags, custom fields and a private note, signed with the API token', async () => {
  zd.requests.length = 0;
  const outcomes = await zendeskSink.deliver(configFor(), [result(500), result(2)], ctx());
  assert.deepEqual(outcomes, [{ ok: true }, { ok: true }]);
  const [put, ...others] = updateRequests();
  assert.equal(others.length, 0);
  assert.ok(put);
  assert.equal(put.headers.authorization, `Basic ${Buffer.from(`${EMAIL}/token:${API_TOKEN}`).toString('base64')}`);
  assert.match(String(put.headers['content-type']), /^application\/json/);
  assert.deepEqual(put.query, {});
  assert.deepEqual(put.body, {
    tickets: [
      {
        id: 500,
        additional_tags: ['refund', 'double_charge'],
        custom_fields: [
          { id: 360001, value: 'billing' },
          { id: 360002, value: true },
        ],
        comment: { body: 'Batchline triage (succeeded): Customer 500 was charged twice — priority high', public: false },
      },
      {
        id: 2,
        additional_tags: ['refund', 'double_charge'],
        custom_fields: [
          { id: 360001, value: 'billing' },
          { id: 360002, value: true },
        ],
        comment: { body: 'Batchline triage (succeeded): Customer 2 was charged twice — priority high', public: false },
      },
    ],
  });
  // Tags were added to the ticket's own, not put in their place.
  assert.deepEqual(zd.tickets.get(500)?.tags, ['vip', 'refund', 'double_charge']);
  assert.deepEqual(zd.tickets.get(500)?.comments.map((c) => [c.body, c.public]), [['Batchline triage (succeeded): Customer 500 was charged twice — priority high', false]]);
});

test('the job is followed to completion and each ticket gets its own outcome; an unknown ticket is final', async () => {
  zd.requests.length = 0;
  const outcomes = await zendeskSink.deliver(configFor({ tags: ['triaged'], custom_fields: undefined, internal_note: undefined }), [result(3), result(99_999), result(4)], ctx());
  assert.equal(outcomes[0]?.ok, true);
  assert.equal(outcomes[2]?.ok, true);
  assert.deepEqual(outcomes[1], { ok: false, retryable: false, error: 'Zendesk could not update ticket 99999: RecordNotFound: Ticket 99999 not found' });
  const polls = zd.requests.filter((r) => r.method === 'GET' && r.path.startsWith('/api/v2/job_statuses/'));
  assert.equal(polls.length, 2, 'working, then completed');
  assert.ok(polls.every((p) => p.headers.authorization?.startsWith('Basic ')));
  assert.deepEqual(zd.tickets.get(3)?.tags, ['triaged']);
});

test('a 429 hands every result back as retryable after Retry-After', async () => {
  zd.failNext('429', 1, 7);
  const outcomes = await zendeskSink.deliver(configFor(), [result(5), result(6)], ctx());
  for (const o of outcomes) {
    assert.equal(o.ok, false);
    assert.ok(!o.ok && o.retryable && o.retryAfterMs === 7000, JSON.stringify(o));
  }
});

test('a 429 while following the job is waited out, so the update is not sent twice', async () => {
  zd.requests.length = 0;
  zd.failNext('429', 1, 0.3, '/api/v2/job_statuses/');
  const outcomes = await zendeskSink.deliver(configFor(), [result(7)], ctx());
  assert.deepEqual(outcomes, [{ ok: true }]);
  assert.equal(updateRequests().length, 1);
});

test('a 500 is retryable', async () => {
  zd.failNext('500', 1);
  const outcomes = await zendeskSink.deliver(configFor(), [result(8), result(9)], ctx());
  for (const o of outcomes) assert.ok(!o.ok && o.retryable, JSON.stringify(o));
});

test('a 401 is final and its message never shows the token', async () => {
  for (const auth of [{ api_token: 'wrong-secret-token' }, { email: undefined, api_token: undefined, oauth_token: 'wrong-oauth-secret' }]) {
    const outcomes = await zendeskSink.deliver(configFor(auth), [result(10)], ctx());
    const [o] = outcomes;
    assert.ok(o && !o.ok && !o.retryable, JSON.stringify(o));
    assert.match(o.error, /401/);
    for (const secret of ['wrong-secret-token', 'wrong-oauth-secret', Buffer.from(`${EMAIL}/token:wrong-secret-token`).toString('base64')]) assert.ok(!o.error.includes(secret));
  }
});

test('OAuth tokens are sent as a Bearer token', async () => {
  const oauth = await startFakeZendesk({ oauthToken: 'oauth-abc', tickets: [1] });
  try {
    const config = zendeskSink.configSchema.parse({ base_url: oauth.url, oauth_token: 'oauth-abc', tags: ['x'], poll_interval_ms: 10 });
    assert.deepEqual(await zendeskSink.deliver(config, [result(1)], ctx()), [{ ok: true }]);
    assert.equal(oauth.requests[0]?.headers.authorization, 'Bearer oauth-abc');
  } finally {
    await oauth.close();
  }
});

test('150 results go out as two requests of 100 and 50 tickets', async () => {
  zd.requests.length = 0;
  const results = Array.from({ length: 150 }, (_, i) => result(i + 1));
  const outcomes = await zendeskSink.deliver(configFor({ poll_interval_ms: 20 }), results, ctx());
  assert.equal(outcomes.length, 150);
  assert.ok(outcomes.every((o) => o.ok));
  assert.deepEqual(updateRequests().map((r) => (r.body as { tickets: unknown[] }).tickets.length), [100, 50]);
});

test('failed results are acknowledged without touching Zendesk, unless only_succeeded is off', async () => {
  zd.requests.length = 0;
  const failed = result(11, { status: 'failed', output: null, error: { type: 'invalid_output', message: 'model answer was not JSON' } });
  assert.deepEqual(await zendeskSink.deliver(configFor(), [failed], ctx()), [{ ok: true }]);
  assert.equal(zd.requests.length, 0);

  const outcomes = await zendeskSink.deliver(configFor({ only_succeeded: false, poll_interval_ms: 20 }), [failed], ctx());
  assert.deepEqual(outcomes, [{ ok: true }]);
  const [put] = updateRequests();
  assert.deepEqual(put?.body, { tickets: [{ id: 11, comment: { body: 'Batchline triage (failed):  — priority model answer was not JSON', public: false } }] });
});

test('an external_id that is not a ticket id is refused for good, and nothing is sent for it', async () => {
  zd.requests.length = 0;
  const outcomes = await zendeskSink.deliver(configFor(), [result('x')], ctx());
  assert.deepEqual(outcomes, [{ ok: false, retryable: false, error: 'external_id "x" is not a Zendesk ticket id' }]);
  assert.equal(zd.requests.length, 0);
});

test('an abort ends the delivery at once with retryable outcomes', async () => {
  const controller = new AbortController();
  const delivery = zendeskSink.deliver(configFor({ poll_interval_ms: 60_000 }), [result(12)], ctx(controller.signal));
  setTimeout(() => controller.abort(), 50);
  const [o] = await delivery;
  assert.deepEqual(o, { ok: false, retryable: true, error: 'delivery aborted' });
});

test('config: exactly one of subdomain or base_url, and exactly one kind of auth', () => {
  const valid = { subdomain: 'acme', email: EMAIL, api_token: 't', tags: ['a'] };
  assert.equal(zendeskSink.configSchema.safeParse(valid).success, true);
  assert.equal(zendeskSink.configSchema.safeParse({ ...valid, base_url: 'http://127.0.0.1:1' }).success, false);
  assert.equal(zendeskSink.configSchema.safeParse({ ...valid, subdomain: undefined }).success, false);
  assert.equal(zendeskSink.configSchema.safeParse({ subdomain: 'acme', tags: ['a'] }).success, false);
  assert.equal(zendeskSink.configSchema.safeParse({ ...valid, oauth_token: 'o' }).success, false);
  assert.equal(zendeskSink.configSchema.safeParse({ ...valid, api_token: undefined }).success, false);
  assert.equal(zendeskSink.configSchema.safeParse({ ...valid, base_url: undefined, subdomain: undefined }).success, false);
  const parsed = zendeskSink.configSchema.parse(valid);
  assert.equal(parsed.only_succeeded, true);
  assert.equal(parsed.poll_interval_ms, 1000);
});
