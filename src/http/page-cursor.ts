// The opaque cursor of a list ordered newest first: the last row's time (to the millisecond) and id.
// Used by every paged list, in the API and on the dashboard, so a cursor means the same everywhere.
import { invalidField } from '../errors.ts';

export function encodeCursor(at: Date, id: string): string {
  return Buffer.from(JSON.stringify([at.toISOString(), id])).toString('base64url');
}

/** The cursor's time and id, or undefined when it is not one this service made. */
export function readCursor(cursor: string): { at: Date; id: string } | undefined {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [unknown, unknown];
    const date = new Date(String(at));
    if (typeof id !== 'string' || Number.isNaN(date.getTime())) return undefined;
    return { at: date, id };
  } catch {
    return undefined;
  }
}

/** A `cursor` query parameter: an unreadable one is a 422 naming it. */
export function decodeCursor(cursor: string): { at: Date; id: string } {
  const read = readCursor(cursor);
  if (!read) throw invalidField('query.cursor', 'is not a cursor returned by this API');
  return read;
}
