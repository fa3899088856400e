// Normalizes the values of a review: text (trimmed, CRLF → LF), rating (a number), date (ISO 8601 UTC).
// Every rule is independent of the machine's time zone, so ids hashed over them are the same everywhere.

/** A non-empty trimmed string, or undefined for missing/blank values; numbers and booleans are stringified. */
export function textOf(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  let s: string;
  if (typeof value === 'string') s = value;
  else if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') s = String(value);
  else s = JSON.stringify(value);
  s = s.trim();
  if (s.length === 0) return undefined;
  return s.includes('\r') ? s.replace(CRLF, '\n') : s;
}
const CRLF = /\r\n?/g;

/** A finite star rating: numbers as they are, strings by their leading number ("4", "4.0", "5 stars"). */
export function ratingOf(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const n = Number.parseFloat(value);
  return Number.isFinite(n) ? n : undefined;
}

// 2016-06-08T19:04:33Z, 2017-11-15T08:10:34-08:00, 2018-01-01 10:00:00 (Yelp, Trustpilot "(UTC)"), 2018-01-01.
const ISO_LIKE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2}|UTC|GMT)?$/i;
const DIGITS = /^\d{9,14}$/;

/**
 * An ISO UTC string for the common review date forms; a date without a zone is read as UTC (the exports
 * say so, or say nothing). Anything else is kept as given, trimmed, rather than guessed in a local zone.
 */
export function dateOf(value: unknown): string | undefined {
  if (typeof value === 'number') return fromEpoch(value);
  const s = textOf(value);
  if (s === undefined) return undefined;
  if (DIGITS.test(s)) return fromEpoch(Number(s)) ?? s;
  const m = ISO_LIKE.exec(s);
  if (m === null) return s;
  const [, y, mo, d, h = '00', mi = '00', sec = '00', frac = '', zone] = m;
  const ms = frac ? Math.round(Number(frac) * 1000) : 0;
  let t = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(sec), ms);
  if (zone !== undefined && (zone[0] === '+' || zone[0] === '-')) {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    t -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
  }
  return Number.isFinite(t) && validDay(Number(y), Number(mo), Number(d)) ? new Date(t).toISOString() : s;
}

/** Epoch seconds or milliseconds (Amazon's `timestamp` is ms, its 2018 `unixReviewTime` seconds). */
function fromEpoch(n: number): string | undefined {
  if (!Number.isFinite(n) || n <= 0) return undefined;
  const ms = n >= 1e11 ? n : n * 1000;
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

function validDay(y: number, m: number, d: number): boolean {
  return m >= 1 && m <= 12 && d >= 1 && (d <= 28 || d <= new Date(Date.UTC(y, m, 0)).getUTCDate());
}
