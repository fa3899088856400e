// Who a request came from, as rate limits and login budgets key it: the peer address, or behind proxies
// listed in BATCHLINE_TRUSTED_PROXIES the address those proxies saw (X-Forwarded-For, read from the right).
import { BlockList, isIP } from 'node:net';
import type { Context } from 'hono';

/** The socket's peer as @hono/node-server hands it in (absent for in-process `app.request`). */
export function peerAddress(c: Context): string | undefined {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return env?.incoming?.socket?.remoteAddress;
}

/**
 * A function giving a request's client as a bucket key. IPv6 clients are keyed by their /64: one subscriber
 * commonly holds a whole /64, so keying single addresses would give them 2^64 fresh budgets.
 */
export function clientAddresses(trustedProxies: readonly string[]): (c: Context) => string {
  const trusted = new BlockList();
  for (const entry of trustedProxies) {
    const [address = '', prefix] = entry.split('/');
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) trusted.addAddress(address, family);
    else trusted.addSubnet(address, Number(prefix), family);
  }
  const isTrusted = (address: string) => trustedProxies.length > 0 && trusted.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4');
  return function clientAddressOf(c) {
    let client = unmapped(peerAddress(c) ?? '');
    if (!isIP(client)) return 'unknown';
    // Each trusted proxy appends the address it was connected from; the first one from the right that is
    // not a trusted proxy is the client. Anything further left was written by the client itself.
    const hops = (c.req.header('x-forwarded-for') ?? '').split(',').map((h) => unmapped(withoutPort(h.trim()))).filter(Boolean);
    while (isTrusted(client)) {
      const next = hops.pop();
      if (next === undefined || !isIP(next)) break;
      client = next;
    }
    return bucketOf(client);
  };
}

function bucketOf(address: string): string {
  if (isIP(address) !== 6) return address;
  return `${expandIPv6(address).slice(0, 4).join(':')}::/64`;
}

/** `::ffff:192.0.2.1` (an IPv4 client on a dual-stack socket) is 192.0.2.1. */
function unmapped(address: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return m?.[1] ?? address.replace(/%.*$/, '');
}

/** Some proxies write `192.0.2.1:4711` or `[2001:db8::1]:4711`. */
function withoutPort(hop: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(hop);
  if (bracketed?.[1]) return bracketed[1];
  const v4 = /^(\d+\.\d+\.\d+\.\d+):\d+$/.exec(hop);
  return v4?.[1] ?? hop;
}

/** The eight hextets of an IPv6 address (`::` filled with zeros, an embedded IPv4 tail as two hextets). */
function expandIPv6(address: string): string[] {
  const v4Tail = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(address);
  let text = address.toLowerCase();
  if (v4Tail) {
    const [a, b, c, d] = v4Tail.slice(1).map(Number) as [number, number, number, number];
    text = text.slice(0, v4Tail.index) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const zeros = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...zeros, ...right].map((h) => h.replace(/^0+(?=.)/, ''));
}
