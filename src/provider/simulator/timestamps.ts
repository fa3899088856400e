// RFC 3339 timestamps with microseconds, as the Batches API prints them (e.g. 2026-11-20T10:00:00.000000Z).

export function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export const DAY_MS = 24 * 60 * 60 * 1000;
