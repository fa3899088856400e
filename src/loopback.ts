// Loopback names, and the host name a Host header or a HOST setting gives: one reading for config (may the
// service listen without keys?), the Host allowlist and the dashboard's cookie (is this page local?).

/** The host name of an authority (`name`, `name:port`, `[v6]:port`, or a bare `::1`), lower-cased; `::1` as `[::1]`. */
export function hostNameOf(authority: string): string | undefined {
  const lower = authority.trim().toLowerCase();
  if (/^[0-9a-f]*:[0-9a-f]*:[0-9a-f:.]*$/.test(lower)) return `[${lower}]`;
  return /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::\d*)?$/.exec(lower)?.[1];
}

/** localhost, any 127.0.0.0/8 address, or [::1]. */
export function isLoopbackName(name: string | undefined): boolean {
  return name === 'localhost' || name === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name ?? '');
}
