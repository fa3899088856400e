// Table types for Kysely: one interface per table, matching migrations/ (the SQL is the source of truth).
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
/** jsonb: read as parsed JSON, written as a JSON string (so arrays are not mistaken for Postgres arrays). */
type Json<T> = ColumnType<T, string, string>;
type NullableJson<T> = ColumnType<T | null, string | null | undefined, string | null>;

export type JobStatus = 'pending' | 'ingesting' | 'running' | 'awaiting_budget' | 'pilot_failed' | 'completed' | 'completed_with_errors' | 'canceled' | 'failed' | 'deleting';
export type ItemStatus = 'queued' | 'submitted' | 'succeeded' | 'retry_wait' | 'failed' | 'canceled';
export type BatchStatus = 'planned' | 'submitting' | 'in_progress' | 'canceling' | 'ended' | 'collected' | 'failed';
export type ResultOutcome = 'succeeded' | 'invalid_output' | 'errored' | 'expired' | 'canceled';
export type DeliveryStatus = 'pending' | 'delivered' | 'retry_wait' | 'dead';

export interface ErrorInfo {
  type: string;
  message: string;
}

export interface InstallationTable {
  singleton: Generated<boolean>;
  tag: string;
  created_at: Generated<Date>;
}

export interface JobsTable {
  id: string;
  name: string | null;
  status: JobStatus;
  task: Json<unknown>;
  source: NullableJson<unknown>;
  sinks: Json<unknown>;
  idempotency_key: string | null;
  request_hash: string | null;
  cancel_requested_at: NullableTimestamp;
  error: NullableJson<ErrorInfo>;
  trace_context: string | null;
  next_run_at: NullableTimestamp;
  lease_owner: string | null;
  lease_until: NullableTimestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
  finished_at: NullableTimestamp;
  source_open: Generated<boolean>;
  ingest_due_at: NullableTimestamp;
  ingest_cursor: NullableJson<unknown>;
  ingest_stats: NullableJson<IngestStats>;
  /** numeric: pg returns it as a string. */
  max_usd: ColumnType<string | null, string | number | null | undefined, string | number | null>;
  pilot: NullableJson<PilotConfig>;
  pilot_state: PilotState | null;
  pilot_batch_id: number | null;
  result_cache: Generated<boolean>;
  estimate: NullableJson<unknown>;
  pause_reason: NullableJson<ErrorInfo>;
  prompt_cache: NullableJson<PromptCacheDecision>;
  /** Set when a delete was asked for (migrations/0012): what the tombstone will keep. */
  deletion: NullableJson<JobDeletion>;
  /** Days after the job finished that its text is kept; null = BATCHLINE_RETENTION_DAYS. */
  retention_days: number | null;
  /** When retention purged the job's text (the summary stays). */
  purged_at: NullableTimestamp;
  /** Patterns masked in document text before any request was built. */
  redact: NullableJson<string[]>;
  /** Keep every item's text until retention instead of dropping it once the item is final. */
  keep_text: Generated<boolean>;
}

/** Who asked for a job's delete and when, and what it was then (the tombstone's counts and cost come from its rows). */
export interface JobDeletion {
  requested_at: string;
  by: string;
  status_before: JobStatus;
}

export interface TombstoneUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
}

/** Whether a job's requests mark the task's shared prefix for the prompt cache, and why. */
export interface PromptCacheDecision {
  marked: boolean;
  /** Tokens of the shared prefix (tools and system prompt). */
  prefix_tokens: number;
  /** The model's minimum cacheable prefix: a shorter one is billed in full, silently. */
  min_prefix_tokens: number;
  /** count_tokens: measured by the API; bytes: estimated from its size (count_tokens failed). */
  basis: 'count_tokens' | 'bytes';
}

/** A sample submitted before the rest; the rest goes out only if its schema-valid rate meets the bar. */
export interface PilotConfig {
  items: number;
  min_success_rate: number;
}

/** pending: not sent yet; running: the sample is out; passed / failed: judged; accepted: failed, then waved on by a resume. */
export type PilotState = 'pending' | 'running' | 'passed' | 'failed' | 'accepted';

/** Counters of a job's source read, shown in the job view. */
export interface IngestStats {
  read: number;
  rejected: number;
  /** Consecutive failed read attempts (reset by a successful one) and the last reason. */
  failures: number;
  last_error?: string;
}

export interface BatchesTable {
  id: Generated<number>;
  job_id: string;
  status: BatchStatus;
  provider_id: string | null;
  model: string;
  request_count: number;
  request_bytes: number;
  is_retry: Generated<boolean>;
  provider_status: string | null;
  request_counts: NullableJson<Record<string, number>>;
  cancel_requested: Generated<boolean>;
  submit_started_at: NullableTimestamp;
  create_in_doubt_until: NullableTimestamp;
  submitted_at: NullableTimestamp;
  ended_at: NullableTimestamp;
  collected_at: NullableTimestamp;
  poll_count: Generated<number>;
  poll_interval_ms: number | null;
  collect_attempts: Generated<number>;
  last_error: NullableJson<ErrorInfo>;
  trace_context: string | null;
  next_run_at: NullableTimestamp;
  lease_owner: string | null;
  lease_until: NullableTimestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
  worst_case_usd: ColumnType<string, string | number | undefined, string | number>;
  is_pilot: Generated<boolean>;
  /** First 404 of the current run of 404s for this provider id; null while the batch is visible. */
  unconfirmed_since: NullableTimestamp;
  unconfirmed_looks: Generated<number>;
  /** Declared gone: invisible for the whole window and absent from batches.list; its items were re-queued. */
  gone_at: NullableTimestamp;
  gone_reason: NullableJson<GoneReason>;
  /** Results streams that ended cleanly but missed lines (not failed reads). */
  short_reads: Generated<number>;
  /** Reads of the results stream started so far (a re-read skips the lines stored by the ones before). */
  collect_reads: Generated<number>;
  /** Status reads in a row that failed with something expected to clear in seconds (migrations/0017). */
  failed_looks: Generated<number>;
  /** A callback arrived while a worker held the batch: its release makes the batch due at once. */
  recheck_requested: Generated<boolean>;
  /** Deleted at the provider (DELETE /v1/messages/batches/{id}). */
  provider_deleted_at: NullableTimestamp;
  provider_delete_attempts: Generated<number>;
  /** 404s in a row answered to the provider delete (several are needed to take it as deleted). */
  provider_delete_not_found: Generated<number>;
}

export interface GoneReason extends ErrorInfo {
  /** Items that went back to the queue (the rest had no attempts left and failed). */
  requeued: number;
}

export interface ItemsTable {
  id: Generated<number>;
  job_id: string;
  external_id: string;
  document: Json<unknown>;
  request_bytes: number | null;
  status: ItemStatus;
  attempts: Generated<number>;
  attempt_base: Generated<number>;
  batch_id: number | null;
  next_run_at: NullableTimestamp;
  last_error: NullableJson<ErrorInfo>;
  created_at: Timestamp;
  updated_at: Timestamp;
  request_hash: string | null;
  /** A later version read while the item was at the provider: {document, request_bytes, request_hash}. */
  newer_version: NullableJson<NewerVersion>;
}

export interface NewerVersion {
  document: unknown;
  request_bytes: number;
  request_hash: string | null;
}

export interface ResultsTable {
  item_id: number;
  attempt: number;
  job_id: string;
  batch_id: number | null;
  outcome: ResultOutcome;
  output: NullableJson<unknown>;
  error: NullableJson<ErrorInfo>;
  model: string | null;
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  from_cache: Generated<boolean>;
  created_at: Timestamp;
}

export interface ResultCacheTable {
  request_hash: string;
  model: string;
  output: Json<unknown>;
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  created_at: Timestamp;
  expires_at: Timestamp;
}

export interface DeliveriesTable {
  id: Generated<number>;
  job_id: string;
  item_id: number;
  attempt: number;
  sink_index: number;
  idempotency_key: string;
  status: DeliveryStatus;
  attempts: Generated<number>;
  last_error: NullableJson<ErrorInfo>;
  next_run_at: NullableTimestamp;
  lease_owner: string | null;
  lease_until: NullableTimestamp;
  delivered_at: NullableTimestamp;
  /** Given to its sink at least once (migrations/0016): its result may be there already. */
  handed_over: Generated<boolean>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ConnectionsTable {
  name: string;
  plugin: string;
  /** The one role this connection may serve; null = every role its plugin has (migrations/0009). */
  kind: 'source' | 'sink' | null;
  config: Json<Record<string, unknown>>;
  secrets: string | null;
  cursor: NullableJson<unknown>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** Batchline's own last write to a record of a team's system (migrations/0009). */
export interface OwnWritesTable {
  scope: string;
  record: string;
  began_at: Timestamp;
  ended_at: NullableTimestamp;
}

export interface CallbackEventsTable {
  webhook_id: string;
  provider_batch_id: string | null;
  outcome: string;
  received_at: Timestamp;
}

/** An experiment: a sample of a source run through several arms (migrations/0011_experiments.sql). */
export interface ExperimentsTable {
  id: string;
  name: string | null;
  task: Json<unknown>;
  source: NullableJson<unknown>;
  documents: NullableJson<unknown>;
  population: Json<unknown>;
  sample: Json<unknown>;
  labels: NullableJson<unknown>;
  compare: Json<unknown>;
  max_usd: ColumnType<string | null, string | number | null | undefined, string | number | null>;
  idempotency_key: string | null;
  request_hash: string | null;
  trace_context: string | null;
  created_at: Timestamp;
}

export interface ExperimentArmsTable {
  experiment_id: string;
  position: number;
  name: string;
  spec: Json<unknown>;
  job_request: Json<unknown>;
  job_id: string | null;
  promoted_job_id: string | null;
}

/** A deleted job: what an auditor needs, and no text (migrations/0012). */
export interface JobTombstonesTable {
  id: string;
  name: string | null;
  task: string;
  model: string;
  status_before: string;
  counts: Json<Record<string, number>>;
  usage: Json<TombstoneUsage>;
  cost: Json<{ usd: number; standard_usd: number; saved_usd: number }>;
  provider_batches: number;
  deleted_by: string;
  created_at: Timestamp;
  finished_at: NullableTimestamp;
  delete_requested_at: Timestamp;
  deleted_at: Timestamp;
}

/** One row per periodic chore; its lease makes it run on one replica at a time. */
export interface SweepLeasesTable {
  name: string;
  lease_owner: string | null;
  lease_until: NullableTimestamp;
  last_run_at: NullableTimestamp;
}

/** A person's right value for one field of one item's answer (issue #24). */
export interface CorrectionsTable {
  job_id: string;
  item_id: number;
  field: string;
  value: Json<unknown>;
  model_value: NullableJson<unknown>;
  corrected_by: string;
  author: string | null;
  note: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** Insights computed for one query of a job, kept while their stamp holds. */
export interface InsightCacheTable {
  job_id: string;
  query_key: string;
  stamp: string;
  body: Json<unknown>;
  computed_at: Timestamp;
}

export interface SchemaMigrationsTable {
  name: string;
  applied_at: Timestamp;
}

export interface DB {
  installation: InstallationTable;
  jobs: JobsTable;
  batches: BatchesTable;
  items: ItemsTable;
  results: ResultsTable;
  result_cache: ResultCacheTable;
  deliveries: DeliveriesTable;
  connections: ConnectionsTable;
  own_writes: OwnWritesTable;
  callback_events: CallbackEventsTable;
  experiments: ExperimentsTable;
  experiment_arms: ExperimentArmsTable;
  job_tombstones: JobTombstonesTable;
  sweep_leases: SweepLeasesTable;
  corrections: CorrectionsTable;
  insight_cache: InsightCacheTable;
  schema_migrations: SchemaMigrationsTable;
}

export type Job = Selectable<JobsTable>;
export type Batch = Selectable<BatchesTable>;
export type Item = Selectable<ItemsTable>;
export type Result = Selectable<ResultsTable>;
export type NewResult = Insertable<ResultsTable>;
export type Delivery = Selectable<DeliveriesTable>;
export type JobUpdate = Updateable<JobsTable>;
