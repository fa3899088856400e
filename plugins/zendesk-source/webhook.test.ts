// Zendesk webhooks into a streaming `zendesk` source: the signature check (formats.md A, "Outbound
// webhooks signing") and the documents an event-subscription or trigger payload becomes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { signZendeskWebhook, zendeskSource, type ZendeskSourceConfig } from './index.ts';

const SECRET = 'dGhpcyBpcyBhIHNpZ25pbmcgc2VjcmV0';
const config: ZendeskSourceConfig = zendeskSource.configSchema.parse({ subdomain: 'acme', oauth_token: 'oauth-1', stream: true, webhook_secret: SECRET });
const inbound = zendeskSource.inbound;
assert.ok(inbound);

const iso = (offsetMs = 0) => new Date(Date.now() + offsetMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
const body = Buffer.from(JSON.stringify({ type: 'zen:event-type:ticket.created', detail: { id: '5158', subject: 'Hello' } }));
const signed = (timestamp: string, raw: Buffer = body, secret = SECRET) => ({
  'x-zendesk-webhook-signature': signZendeskWebhook(secret, timestamp, raw),
  'x-zendesk-webhook-signature-timestamp': timestamp,
  'content-type': 'application/json',
});

test('a delivery signed with the webhook secret over timestamp + raw body is accepted', () => {
  assert.equal(inbound.verify(config, body, signed(iso())), true);
  assert.equal(inbound.verify(config, body, signed(iso(-4 * 60_000))), true, 'four minutes old is within the window');
});

test('signZendeskWebhook is base64 HMAC-SHA256 of the timestamp followed by the body, no separator', () => {
  // From: printf '%s' '2024-05-01T12:00:00Z{"a":1}' | openssl dgst -sha256 -hmac secret -binary | base64
  assert.equal(signZendeskWebhook('secret', '2024-05-01T12:00:00Z', '{"a":1}'), 'B/EOOrMRM947gy9LNIzKwdFsJHsAV1sMu4KdqGPo2xA=');
  assert.equal(signZendeskWebhook('secret', '2024-05-01T12:00:00Z', Buffer.from('{"a":1}')), 'B/EOOrMRM947gy9LNIzKwdFsJHsAV1sMu4KdqGPo2xA=');
});

test('a wrong signature, another secret or a changed body is refused', () => {
  const timestamp = iso();
  assert.equal(inbound.verify(config, body, { ...signed(timestamp), 'x-zendesk-webhook-signature': 'bm90IGl0' }), false);
  assert.equal(inbound.verify(config, body, signed(timestamp, body, 'another-secret')), false);
  assert.equal(inbound.verify(config, Buffer.from(body.toString().replace('Hello', 'Hullo')), signed(timestamp)), false);
  // The timestamp is signed too: moving it breaks the signature.
  assert.equal(inbound.verify(config, body, { ...signed(timestamp), 'x-zendesk-webhook-signature-timestamp': iso(1000) }), false);
});

test('a timestamp more than five minutes off either way is refused, even when signed', () => {
  assert.equal(inbound.verify(config, body, signed(iso(-6 * 60_000))), false);
  assert.equal(inbound.verify(config, body, signed(iso(6 * 60_000))), false);
  assert.equal(inbound.verify(config, body, signed('yesterday')), false);
});

test('missing headers or a config without webhook_secret refuse every delivery', () => {
  const headers = signed(iso());
  const { 'x-zendesk-webhook-signature': _s, ...noSignature } = headers;
  const { 'x-zendesk-webhook-signature-timestamp': _t, ...noTimestamp } = headers;
  assert.equal(inbound.verify(config, body, noSignature), false);
  assert.equal(inbound.verify(config, body, noTimestamp), false);
  const withoutSecret = zendeskSource.configSchema.parse({ subdomain: 'acme', oauth_token: 'oauth-1' });
  assert.equal(inbound.verify(withoutSecret, body, headers), false);
});

/** A ticket event as Zendesk's event subscriptions send it: ids as strings, enums upper-case. */
const ticketEvent = (type: string, updatedAt: string, extra: Record<string, unknown> = {}) => ({
  account_id: 12514403,
  detail: {
    actor_id: '8447388090494',
    created_at: '2025-01-08T10:12:07Z',
    description: 'My invoice shows the wrong VAT number.',
    group_id: '8447320466430',
    id: '5158',
    organization_id: null,
    priority: 'HIGH',
    requester_id: '8447388090494',
    status: 'OPEN',
    subject: 'Wrong VAT number',
    tags: ['billing', 'vat'],
    type: 'INCIDENT',
    updated_at: updatedAt,
    via: { channel: 'web_service' },
  },
  event: {},
  id: 'cbe4028c-7239-495d-b020-f22348516046',
  subject: 'zen:ticket:5158',
  time: '2025-01-08T10:12:07.672717030Z',
  type,
  zendesk_event_version: '2022-11-06',
  ...extra,
});

test('a ticket event becomes one document keyed by ticket id and updated_at', () => {
  const [doc, ...rest] = inbound.documents(config, ticketEvent('zen:event-type:ticket.created', '2025-01-08T10:12:07Z'));
  assert.equal(rest.length, 0);
  assert.deepEqual(doc, {
    id: '5158@2025-01-08T10:12:07Z',
    title: 'Wrong VAT number',
    text: 'Wrong VAT number\n\nMy invoice shows the wrong VAT number.',
    metadata: {
      ticket_id: 5158,
      status: 'open',
      priority: 'high',
      type: 'incident',
      tags: ['billing', 'vat'],
      created_at: '2025-01-08T10:12:07Z',
      updated_at: '2025-01-08T10:12:07Z',
      channel: 'web_service',
      requester_id: 8447388090494,
      group_id: 8447320466430,
    },
  });
  const again = inbound.documents(config, ticketEvent('zen:event-type:ticket.created', '2025-01-08T10:12:07Z'));
  assert.equal(again[0]?.id, doc?.id, 'a redelivered event is the same document');
  const later = inbound.documents(config, ticketEvent('zen:event-type:ticket.status_changed', '2025-01-09T08:00:00Z'));
  assert.equal(later[0]?.id, '5158@2025-01-09T08:00:00Z', 'a later change is a new document');
});

test('an event without updated_at is keyed by its event time', () => {
  const event = ticketEvent('zen:event-type:ticket.priority_changed', '');
  delete (event.detail as Record<string, unknown>).updated_at;
  assert.equal(inbound.documents(config, event)[0]?.id, '5158@2025-01-08T10:12:07.672717030Z');
});

test('a trigger payload { ticket } becomes one document, string ids and space-separated tags included', () => {
  const docs = inbound.documents(config, { ticket: { id: '42', subject: 'Cannot log in', description: 'The reset link expired.', status: 'new', tags: 'login urgent', updated_at: '2025-02-01T09:30:00Z' } });
  assert.deepEqual(docs, [
    {
      id: '42@2025-02-01T09:30:00Z',
      title: 'Cannot log in',
      text: 'Cannot log in\n\nThe reset link expired.',
      metadata: { ticket_id: 42, status: 'new', tags: ['login', 'urgent'], updated_at: '2025-02-01T09:30:00Z' },
    },
  ]);
  const noTime = { ticket: { id: 43, subject: 'Hi', description: 'Hello' } };
  const [first] = inbound.documents(config, noTime);
  assert.match(first?.id ?? '', /^43@[0-9a-f]{16}$/);
  assert.equal(inbound.documents(config, structuredClone(noTime))[0]?.id, first?.id, 'redelivered: same id');
});

test('shapes that are not a ticket, and deleted or spam tickets, give no documents', () => {
  assert.deepEqual(inbound.documents(config, null), []);
  assert.deepEqual(inbound.documents(config, 'ticket'), []);
  assert.deepEqual(inbound.documents(config, { hello: 'world' }), []);
  assert.deepEqual(inbound.documents(config, { type: 'zen:event-type:user.created', detail: { id: '1' } }), []);
  assert.deepEqual(inbound.documents(config, ticketEvent('zen:event-type:ticket.soft_deleted', '2025-01-08T10:12:07Z')), []);
  assert.deepEqual(inbound.documents(config, ticketEvent('zen:event-type:ticket.marked_as_spam', '2025-01-08T10:12:07Z')), []);
  assert.deepEqual(inbound.documents(config, { ticket: { id: 'abc', subject: 'x' } }), []);
  assert.deepEqual(inbound.documents(config, { ticket: { id: '007', subject: 'x' } }), [], 'ids are canonical numbers');
});

test('with include_comments, the comment a comment_added event carries is appended', () => {
  const withComments = { ...config, include_comments: true };
  const event = ticketEvent('zen:event-type:ticket.comment_added', '2025-01-10T10:00:00Z', { event: { comment: { id: '99', body: 'Any news?', is_public: true } } });
  assert.equal(inbound.documents(withComments, event)[0]?.text, 'Wrong VAT number\n\nMy invoice shows the wrong VAT number.\n\nNew comment:\nAny news?');
  assert.equal(inbound.documents(config, event)[0]?.text, 'Wrong VAT number\n\nMy invoice shows the wrong VAT number.');
});
