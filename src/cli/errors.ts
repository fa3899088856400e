// The CLI's error family. Each one is shown as ONE line on stderr (`batchline: …`), never a stack
// trace, and decides the exit code: 2 for a usage mistake, 1 for anything else.

/** Wrong command, flag or argument: exit 2 with the usage of the command concerned. */
export class UsageError extends Error {
  override name = 'UsageError';
  constructor(
    message: string,
    /** e.g. `batchline status <job> [--follow] [--json]` */
    readonly usage?: string,
  ) {
    super(message);
  }
}

/** An expected failure with a message fit for the user (bad file, locked data dir, …). */
export class CliError extends Error {
  override name = 'CliError';
}

/** An RFC 9457 problem+json answered by the API. */
export class ApiProblemError extends Error {
  override name = 'ApiProblemError';
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly code: string | undefined,
    readonly field: string | undefined,
  ) {
    super(problemLine(status, title, detail, field));
  }
}

/** The server did not answer at all (refused, DNS, timeout). */
export class ServerUnreachableError extends Error {
  override name = 'ServerUnreachableError';
}

function problemLine(status: number, title: string, detail: string, field: string | undefined): string {
  const fieldNote = field && !detail.includes(field) ? ` (field ${field})` : '';
  const hint = status === 401 ? ' — set BATCHLINE_TOKEN to one of the server\'s BATCHLINE_API_KEYS' : '';
  const text = detail && detail !== title ? `${title}: ${detail}` : title;
  return `${text}${fieldNote} [HTTP ${status}]${hint}`;
}

/** The one line shown for any error, and its exit code. */
export function describeError(error: unknown): { line: string; exitCode: number } {
  if (error instanceof UsageError) {
    return { line: `batchline: ${error.message}${error.usage ? `; usage: ${error.usage}` : ''}`, exitCode: 2 };
  }
  if (error instanceof Error) return { line: `batchline: ${oneLine(error.message)}`, exitCode: 1 };
  return { line: `batchline: ${oneLine(String(error))}`, exitCode: 1 };
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim() || 'unknown error';
}
