import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Hono } from 'hono';
import { clientAddresses } from './client-address.ts';

/** What clientAddresses makes of a request from `peer` carrying `forwardedFor`. */
async function clientOf(trusted: string[], peer: string, forwardedFor?: string): Promise<string> {
  const app = new Hono();
  const addressOf = clientAddresses(trusted);
  app.get('/', (c) => c.text(addressOf(c)));
  const env = { incoming: { socket: { remoteAddress: peer } } };
  return (await app.request('/', { headers: forwardedFor ? { 'x-forwarded-for': forwardedFor } : {} }, env)).text();
}

test('the peer address, whatever X-Forwarded-For says, when no proxy is trusted', async () => {
  assert.equal(await clientOf([], '192.0.2.10', '203.0.113.5'), '192.0.2.10');
  assert.equal(await clientOf([], '::ffff:192.0.2.10'), '192.0.2.10', 'an IPv4 client on a dual-stack socket');
});

test('IPv6 clients are keyed by their /64', async () => {
  assert.equal(await clientOf([], '2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64');
  assert.equal(await clientOf([], '2001:db8:1:2:ffff:ffff:ffff:ffff'), '2001:db8:1:2::/64');
  assert.equal(await clientOf([], '2001:db8::1'), '2001:db8:0:0::/64');
  assert.equal(await clientOf([], '::1'), '0:0:0:0::/64');
});

test('behind trusted proxies, the first address from the right that is not one of them', async () => {
  const trusted = ['10.0.0.0/8', '192.0.2.1'];
  assert.equal(await clientOf(trusted, '10.1.2.3', '203.0.113.5'), '203.0.113.5');
  assert.equal(await clientOf(trusted, '10.1.2.3', '198.51.100.1, 203.0.113.5, 192.0.2.1'), '203.0.113.5', 'what the client wrote itself (further left) is ignored');
  assert.equal(await clientOf(trusted, '10.1.2.3', '203.0.113.5:4711'), '203.0.113.5');
  assert.equal(await clientOf(trusted, '10.1.2.3', '[2001:db8:5::9]:4711'), '2001:db8:5:0::/64');
  assert.equal(await clientOf(trusted, '10.1.2.3'), '10.1.2.3', 'no header: the proxy itself');
  assert.equal(await clientOf(trusted, '10.1.2.3', 'garbage'), '10.1.2.3');
  assert.equal(await clientOf(trusted, '203.0.113.9', '198.51.100.1'), '203.0.113.9', 'an untrusted peer cannot name another client');
});
