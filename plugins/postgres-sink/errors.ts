// Turns what Postgres (or the network) threw into a delivery outcome, and keeps connection strings —
// which carry passwords — out of every message: a target is named by host and database only.
import type { DeliveryOutcome } from '../../src/plugins/contract.ts';

/**
 * SQLSTATE classes (PostgreSQL manual, Appendix A) that describe the statement or the data, so sending
 * the same rows again fails the same way: cardinality 21, data 22, constraints 23, syntax/access 42,
 * check option 44, program limits 54, unsupported feature 0A. Anything else — connection 08,
 * serialization/deadlock 40, resources 53, shutdown 57P01 …, a network error without a code — may pass later.
 */
const FINAL_CLASSES = new Set(['21', '22', '23', '42', '44', '54', '0A']);

/** "host:port/database" of a postgres:// URL; never the user or password. */
export function describeTarget(connectionString: string): string {
  try {
    const url = new URL(connectionString);
    const host = url.hostname || url.searchParams.get('host') || 'localhost';
    const database = decodeURIComponent(url.pathname.replace(/^\//, '')) || decodeURIComponent(url.username) || 'postgres';
    return `${host}${url.port ? `:${url.port}` : ''}/${database}`;
  } catch {
    return 'an unparsable connection string';
  }
}

/** Removes the connection string and its password (raw and percent-decoded) from a message. */
export function scrub(message: string, connectionString: string | undefined): string {
  let text = message;
  if (connectionString) {
    const secrets = [connectionString];
    try {
      const { password } = new URL(connectionString);
      if (password) secrets.push(password, decodeURIComponent(password));
    } catch {
      // Unparsable: the whole string is already in the list.
    }
    for (const secret of secrets.sort((a, b) => b.length - a.length)) text = text.split(secret).join('***');
  }
  // Any other URL that some driver message might quote, with its credentials.
  return text.replace(/postgres(?:ql)?:\/\/[^\s"']*/gi, (url) => describeTarget(url));
}

export function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

export function isRetryable(error: unknown): boolean {
  const code = sqlState(error);
  return code === undefined || !FINAL_CLASSES.has(code.slice(0, 2));
}

/** Class 22/23: one row's data is at fault, so the others may still go in on their own. */
export function isRowError(error: unknown): boolean {
  const code = sqlState(error);
  return code !== undefined && (code.startsWith('22') || code.startsWith('23'));
}

export function errorText(error: unknown, target: string, connectionString: string | undefined): string {
  const code = sqlState(error);
  const message = messageOf(error);
  // The detail often says which value was at fault; it can quote a whole row, so it is kept short.
  const detail = (error as { detail?: unknown } | null)?.detail;
  const said = typeof detail === 'string' && detail ? `${message}: ${detail.length > 300 ? `${detail.slice(0, 300)}…` : detail}` : message;
  const hint = code === '42P10' ? ' (idempotency_key needs a PRIMARY KEY or UNIQUE constraint)' : '';
  return scrub(`postgres sink (${target}): ${said}${hint}${code ? ` [${code}]` : ''}`, connectionString);
}

export function failure(error: unknown, target: string, connectionString: string | undefined): Extract<DeliveryOutcome, { ok: false }> {
  return { ok: false, retryable: isRetryable(error), error: errorText(error, target, connectionString) };
}

/** Node reports a refused dual-stack connect as an AggregateError with an empty message: use its parts. */
function messageOf(error: unknown): string {
  if (error instanceof AggregateError && !error.message) return error.errors.map(messageOf).join('; ') || error.name;
  return error instanceof Error ? error.message || error.name : String(error);
}
