// The resume points this source saves with ctx.checkpoint, and how a saved one is read back. The engine
// keeps them per job (crash recovery) and per connection (the next job starts where the last ended).

/** Saved by the incremental export after each page: Zendesk's opaque after_cursor. */
export interface ExportCursor {
  after_cursor: string;
}

/** Saved by a search read once done: the latest updated_at among its tickets (ISO 8601). */
export interface SearchCursor {
  updated_after: string;
}

export type SavedCursor = { kind: 'export'; cursor: ExportCursor } | { kind: 'search'; cursor: SearchCursor } | { kind: 'none' } | { kind: 'unknown' };

export function savedCursorOf(value: unknown): SavedCursor {
  if (value === undefined || value === null) return { kind: 'none' };
  if (isRecord(value) && typeof value.after_cursor === 'string' && value.after_cursor.length > 0) return { kind: 'export', cursor: { after_cursor: value.after_cursor } };
  if (isRecord(value) && typeof value.updated_after === 'string' && !Number.isNaN(Date.parse(value.updated_after))) return { kind: 'search', cursor: { updated_after: value.updated_after } };
  return { kind: 'unknown' };
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `2024-05-01T12:00:00Z`: the form Zendesk gives updated_at in and its search takes in `updated>`. */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
