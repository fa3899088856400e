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
  /**
   * The idempotency keys of this call's results that were handed to this sink before: a retry, a replay,
   * or a call cut off by a crash or a lost lease. Every other result reaches the sink for the first time,
   * so a sink that keeps each result exactly once need only look for these among what it holds.
   * Absent: any result may have been handed over before.
   */
  handedOverBefore?: ReadonlySet<string>;
  /**
   * Where a sink that writes into a system a source also reads (Zendesk) records what it changed, so the
   * source recognises those changes as Batchline's own and never takes them as new work (no loops).
   */
  ownWrites?: OwnWrites;
}

/**
 * Batchline's own writes to the records of a system, by `scope` (the system, as the plugin names it:
 * zendesk uses its account URL). A record's change is Batchline's own when its time falls inside the
 * window of the last write: from `begin` (called before the request goes out) to `end` (once it is done).
 */
export interface OwnWrites {
  begin(scope: string, records: readonly string[]): Promise<void>;
  /**
   * The write is over (done, refused or given up). Times read from the system's own clock (an HTTP Date
   * header) make the window exact whatever this machine's clock says: `began` when it accepted the write,
   * `ended` when it reported it done.
   */
  end(scope: string, records: readonly string[], systemTimes?: { began?: Date; ended?: Date }): Promise<void>;
}

/** Asks whether changes a source sees are Batchline's own (see OwnWrites). */
export interface OwnChanges {
  /** The records among `changes` whose change, at `changed_at` (ISO 8601, the system's clock), Batchline made. */
  ownOf(scope: string, changes: ReadonlyArray<{ record: string; changed_at: string }>): Promise<Set<string>>;
}

/** What a sink is told at job creation about the job it will serve. */
export interface SinkPrepareContext {
  task: { name: string; builtin: boolean; output_schema: Record<string, unknown> };
}

export interface SinkPlugin<C = unknown> {
  name: string;
  description: string;
  configSchema: z.ZodType<C>;
  /** Names of config fields that hold secrets (write-only, encrypted at rest, never logged). */
  secretFields?: readonly string[];
  /**
   * Fields rotated together (a token and the user it belongs to). A job using a connection takes their
   * current values from it at each delivery, so a rotation needs no new job. Default: secretFields.
   */
  credentialFields?: readonly string[];
  /**
   * Fields naming where the credentials are sent (a URL, an account). A running job takes its connection's
   * credentials only while these still match its own copy: a connection moved to another account must not
   * send its new token to the old one. Default: none.
   */
  destinationFields?: readonly string[];
  /**
   * At job creation, with the job's task: checks what only the task can tell (a mapping names a field
   * the output has) and answers the config to store, e.g. with what the task implies filled in. Throws
   * SinkConfigError(field, message) for a 422 naming `sinks.N.config.<field>`.
   */
  prepare?(config: C, ctx: SinkPrepareContext): C;
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
  /**
   * When this version of the record last changed (ISO 8601, e.g. a ticket's updated_at). A document read
   * twice in one job (it changed while the job read) is kept once, in its latest version, as long as it
   * has not been sent yet.
   */
  version?: string;
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
  /**
   * The credential fields (credentialFields) as the job's connection holds them now, every field present
   * (undefined when unset): a long read takes a rotated token from its next request on. Cached briefly;
   * `fresh` asks the database (after the system refused the credentials). Undefined without a connection.
   */
  currentCredentials?(fresh?: boolean): Promise<Record<string, unknown>>;
  /** Recognises changes Batchline itself made (see SinkContext.ownWrites). */
  ownChanges?: OwnChanges;
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

/** A sink config that does not fit the job it is for (a mapping names a field the task's output lacks). */
export class SinkConfigError extends Error {
  override name = 'SinkConfigError';
  constructor(
    /** Dotted path of the offending config field, e.g. `custom_fields.360001`. */
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
  /**
   * Which change of which record a document is, in the scope its sink records writes under (see
   * OwnWrites): Batchline drops the documents that are its own changes coming back (no loops).
   */
  changeOf?(config: C, document: SourceDocument): { scope: string; record: string; changed_at: string } | undefined;
}

export interface SourcePlugin<C = unknown> {
  name: string;
  description: string;
  configSchema: z.ZodType<C>;
  secretFields?: readonly string[];
  /** Fields rotated together, taken from the connection while a job runs (see SinkPlugin). Default: secretFields. */
  credentialFields?: readonly string[];
  /** Fields naming where the credentials are sent (see SinkPlugin.destinationFields). */
  destinationFields?: readonly string[];
  /**
   * What identifies the stream a saved cursor belongs to (the account and the query, say): a connection
   * keeps one cursor per scope, so changing anything else (a timeout, a token) keeps its place.
   * Default: the whole config without its secrets.
   */
  cursorScope?(config: C): unknown;
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
