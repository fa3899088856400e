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

export interface SourceDocument {
  id: string;
  text?: string;
  title?: string;
  metadata?: Record<string, unknown>;
}

export interface SourceContext {
  log: Logger;
  fileRoots: readonly string[];
  signal: AbortSignal;
}

export interface SourcePlugin<C = unknown> {
  name: string;
  description: string;
  configSchema: z.ZodType<C>;
  secretFields?: readonly string[];
  read(config: C, ctx: SourceContext): AsyncIterable<SourceDocument>;
}
