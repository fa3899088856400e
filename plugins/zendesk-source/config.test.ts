// The `zendesk` source's config: the exactly-one rules shared with the sink, stream's secret, defaults,
// and the JSON Schema a UI renders (secrets write-only).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { configJsonSchema } from '../../src/plugins/describe.ts';
import { ZENDESK_SOURCE_SECRET_FIELDS, zendeskSource } from './index.ts';

const messages = (input: unknown) => {
  const parsed = zendeskSource.configSchema.safeParse(input);
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

test('defaults fill in a minimal config', () => {
  assert.deepEqual(zendeskSource.configSchema.parse({ subdomain: 'acme', email: 'a@acme.test', api_token: 't' }), {
    subdomain: 'acme',
    email: 'a@acme.test',
    api_token: 't',
    start_time: 0,
    include_comments: false,
    stream: false,
    per_page: 1000,
    request_timeout_ms: 30_000,
    max_retry_wait_ms: 120_000,
  });
});

test('the account and the credentials follow the same exactly-one rules as the sink', () => {
  assert.deepEqual(messages({ email: 'a@acme.test', api_token: 't' }), ['subdomain: set exactly one of subdomain or base_url']);
  assert.deepEqual(messages({ subdomain: 'acme', base_url: 'https://acme.zendesk.com', oauth_token: 'o' }), ['subdomain: set exactly one of subdomain or base_url']);
  assert.deepEqual(messages({ subdomain: 'acme' }), ['api_token: set email + api_token or oauth_token']);
  assert.deepEqual(messages({ subdomain: 'acme', email: 'a@acme.test', api_token: 't', oauth_token: 'o' }), ['oauth_token: set either email + api_token or oauth_token, not both']);
  assert.deepEqual(messages({ subdomain: 'acme', api_token: 't' }), ['email: email and api_token go together']);
  assert.deepEqual(messages({ subdomain: 'acme', oauth_token: 'o' }), []);
});

test('stream needs the webhook secret; per_page and start_time are bounded', () => {
  assert.deepEqual(messages({ subdomain: 'acme', oauth_token: 'o', stream: true }), ['webhook_secret: is required when stream is true: it checks that webhooks come from Zendesk']);
  assert.deepEqual(messages({ subdomain: 'acme', oauth_token: 'o', stream: true, webhook_secret: 's' }), []);
  assert.equal(messages({ subdomain: 'acme', oauth_token: 'o', per_page: 1001 }).length, 1);
  assert.equal(messages({ subdomain: 'acme', oauth_token: 'o', start_time: -1 }).length, 1);
  assert.equal(messages({ subdomain: 'acme', oauth_token: 'o', start_time: 1.5 }).length, 1);
  assert.equal(messages({ subdomain: 'acme', oauth_token: 'o', query: '  ' }).length, 1);
});

test('the config is served as JSON Schema with its secrets write-only', () => {
  assert.deepEqual(zendeskSource.secretFields, ['api_token', 'oauth_token', 'webhook_secret']);
  assert.equal(zendeskSource.secretFields, ZENDESK_SOURCE_SECRET_FIELDS);
  const schema = configJsonSchema(zendeskSource.configSchema, ZENDESK_SOURCE_SECRET_FIELDS);
  const properties = schema.properties as Record<string, Record<string, unknown>>;
  for (const field of ZENDESK_SOURCE_SECRET_FIELDS) assert.equal(properties[field]?.writeOnly, true);
  assert.equal(properties.per_page?.maximum, 1000);
  assert.equal(properties.start_time?.default, 0);
  assert.equal(properties.stream?.type, 'boolean');
});
