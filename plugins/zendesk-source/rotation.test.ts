// A streaming zendesk source during rotations and write-backs: a webhook signed with either of two
// signing secrets is taken, and every webhook document says which ticket change it is, so Batchline can
// drop its own.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { signZendeskWebhook, zendeskSource } from './index.ts';

const inbound = zendeskSource.inbound;
assert.ok(inbound?.changeOf);
const config = zendeskSource.configSchema.parse({ subdomain: 'Acme', oauth_token: 'o', stream: true, webhook_secret: 'new-secret old-secret' });

test('with two signing secrets (webhooks being switched over), a delivery signed with either is taken', () => {
  const body = Buffer.from('{"ticket":{"id":1}}');
  const timestamp = new Date().toISOString();
  for (const secret of ['new-secret', 'old-secret']) {
    assert.equal(inbound.verify(config, body, { 'x-zendesk-webhook-signature': signZendeskWebhook(secret, timestamp, body), 'x-zendesk-webhook-signature-timestamp': timestamp }), true, secret);
  }
  assert.equal(inbound.verify(config, body, { 'x-zendesk-webhook-signature': signZendeskWebhook('gone', timestamp, body), 'x-zendesk-webhook-signature-timestamp': timestamp }), false);
  assert.equal(zendeskSource.configSchema.safeParse({ ...config, webhook_secret: '  ' }).success, false);
});

test('a webhook document names its ticket and when it changed, in the account scope the sink writes under', () => {
  const [doc] = inbound.documents(config, { ticket: { id: '42', subject: 'x', description: 'y', updated_at: '2026-11-24T10:00:05Z' } });
  assert.ok(doc);
  assert.deepEqual(inbound.changeOf?.(config, doc), { scope: 'zendesk:https://acme.zendesk.com', record: '42', changed_at: '2026-11-24T10:00:05Z' });
  const [event] = inbound.documents(config, { type: 'zen:event-type:ticket.tags_changed', time: '2026-11-24T10:00:06.5Z', detail: { id: '43', subject: 's' } });
  assert.ok(event);
  assert.equal(inbound.changeOf?.(config, event)?.changed_at, '2026-11-24T10:00:06.5Z', 'without updated_at, the event time');
  const [hashed] = inbound.documents(config, { ticket: { id: 44, subject: 'no time' } });
  assert.ok(hashed);
  assert.equal(inbound.changeOf?.(config, hashed), undefined, 'no time, nothing to compare');
});
