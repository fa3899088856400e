// The plugin contracts: a source reads documents from a team's system, a sink delivers results to one.
// Kept as small as Kysely's extension points: a name, a config schema, one function.
import type { z } from 'zod';
import type { Logger } from '../logger.ts';

/** A result as sinks receive it and as the API shows it (CONTRACT.md), plus its idempotency key. */
export interface DeliveredResult {
  idempotency_key: string;
  job_id: string;
  item_id: string;
  external_id: string;
  status: 'succeeded' | 'failed' | 'canceled';
  output: unknown;
  error: { type: string; message: string } | null;
  attempts: number;
  usage: { input_tokens: number; output_tokens: number; cache_creation_input_tokens: number; cache_read_input_tokens: number } | null;
  metadata: Record<string, unknown> | null;
}

export type DeliveryOutcome =
  | { ok: true }
  | { ok: false; retryable: boolean; error: string; retryAfterMs?: number };

/** The slice of a SQL client a plugin may use on the service's own database (Postgres or PGlite). */
export interface SqlExecutor {
  query(text: string, params: readonly unknown[]): Promise<{ rows: Array<Record<string, unknown>> }>;
}

export interface SinkContext {
  jobId: string;
  log: Logger;
  /** The service's own database, for sinks that write there by default (e.g. `postgres`). */
  database: SqlExecutor;
  /** Folders a file-writing sink may write into (BATCHLINE_FILE_ROOTS). */
  fileRoots: readonly string[];
  signal: AbortSignal;
}

export interface SinkPlugin<C = unknown> {
  name: string;
  description: string;
  configSchema: z.ZodType<C>;
  /** Names of config fields that hold secrets (write-only, encrypted at rest, never logged). */
  secretFields?: readonly string[];
  /** Delivers a batch of results; one outcome per result, in order. Expected failures are returned, not thrown. */
  deliver(config: C, results: DeliveredResult[], ctx: SinkContext): Promise<DeliveryOutcome[]>;
}

/** A file a document refers to: read, checked against its hash and sent only when its batch is submitted. */
export interface FileRef {
  media_type: 'application/pdf' | 'image/png' | 'image/jpeg' | 'image/webp' | 'image/gif';
  /** Absolute path, already confined to BATCHLINE_FILE_ROOTS. */
  path: string;
  /** sha256 hex of the content at ingest time; a file that changed before submit fails its item. */
  sha256: string;
  bytes: number;
  name?: string;
}

/**
 * One document read from a team's system. `id` is its stable external id: reading the same input
 * again yields the same ids, which is how a job never holds the same document twice.
 */
export interface SourceDocument {
  id: string;
  text?: string;
  title?: string;
  metadata?: Record<string, unknown>;
  /** Large binary content by reference; the database keeps the path and hash, never the bytes. */
  files?: FileRef[];
  /** Input that cannot be sent (a broken CSV row, an oversized PDF): recorded as a failed item with this reason. */
  failure?: { type: string; message: string };
}

export interface SourceContext {
  log: Logger;
  fileRoots: readonly string[];
  signal: AbortSignal;
  /** Where to resume: the cursor last saved by this job, else by the job's connection; undefined the first time. */
  cursor: unknown;
  /**
   * Saves a resume point. Every document yielded before the call is stored in the same transaction
   * as the cursor, so after a crash the read resumes exactly there. Cursors are JSON values.
   */
  checkpoint(cursor: unknown): Promise<void>;
  /** Name of the connection the job reads through, for messages ("connection \"support\" …"); undefined for inline configs. */
  connection: string | undefined;
}

/** A source-specific problem with a config that only shows when checked against the world (a path outside the roots). */
export class SourceConfigError extends Error {
  override name = 'SourceConfigError';
  constructor(
    /** Dotted path of the offending config field, e.g. `path`. */
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** Failures of a read that no retry can fix (credentials refused): the job fails with this message. */
export class SourceFatalError extends Error {
  override name = 'SourceFatalError';
}

/** Signed events a source accepts from its system (e.g. Zendesk webhooks), turned into documents. */
export interface SourceInbound<C> {
  /** True when the raw body and headers carry a valid signature for this config. Headers are lower-case. */
  verify(config: C, rawBody: Buffer, headers: Record<string, string>): boolean;
  /** The documents an event brings (may be none, e.g. for an event type the source ignores). */
  documents(config: C, event: unknown): SourceDocument[];
}

export interface SourcePlugin<C = unknown> {
  name: string;
  description: string;
  configSchema: z.ZodType<C>;
  secretFields?: readonly string[];
  /** Checks what the schema cannot (paths exist and stay inside roots) when a job is created; throws SourceConfigError. */
  check?(config: C, ctx: Pick<SourceContext, 'fileRoots' | 'log'>): Promise<void>;
  read(config: C, ctx: SourceContext): AsyncIterable<SourceDocument>;
  /**
   * Whether a job on this config stays open after its first read, to take documents that arrive later:
   * `rescanMs` reads again that often (a watched folder); without it documents come through `inbound`.
   * Undefined: the job closes when the read ends.
   */
  follow?(config: C): { rescanMs?: number } | undefined;
  inbound?: SourceInbound<C>;
}
