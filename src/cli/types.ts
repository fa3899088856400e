// What the CLI reads from the API. Kept loose on purpose: the server may be a newer or older version
// than this CLI, so everything beyond id, status and counts is optional and rendered when present.

export const FINAL_STATUSES = ['completed', 'completed_with_errors', 'canceled', 'failed'] as const;
/** States a job waits in for the user (POST /v1/jobs/{id}/resume, or a cancel). */
export const PAUSED_STATUSES = ['awaiting_budget', 'pilot_failed'] as const;

export interface JobCountsView {
  total: number;
  queued: number;
  submitted: number;
  succeeded: number;
  failed: number;
  canceled: number;
  retry_wait?: number;
}

export interface BatchSnapshot {
  provider_id?: string | null;
  status: string;
  provider_status?: string | null;
  request_count?: number;
  request_counts?: Record<string, number> | null;
  is_retry?: boolean;
  last_error?: { type: string; message: string } | null;
}

export interface JobSnapshot {
  id: string;
  name?: string | null;
  status: string;
  task?: { name: string; model?: string; max_tokens?: number };
  cancel_requested?: boolean;
  counts: JobCountsView;
  batches?: BatchSnapshot[];
  usage?: Record<string, number>;
  /** `usd`, `standard_usd`, `saved_usd`, and whatever money fields a newer server adds. */
  cost?: Record<string, unknown>;
  deliveries?: { pending: number; delivered: number; dead: number };
  source?: { plugin: string; connection: string | null; open: boolean; read: number; rejected: number; last_error: string | null } | null;
  error?: { type: string; message: string } | null;
  trace_id?: string | null;
  estimate?: { items?: number; cost?: { usd?: number; standard_usd?: number; worst_case_usd?: number } } | null;
  estimate_vs_actual?: { cost_usd?: { estimated: number; actual: number; error_pct: number | null } } | null;
  budget?: { max_usd: number; spent_usd: number; reserved_usd: number; remaining_usd: number } | null;
  pilot?: { items: number; min_success_rate: number; state: string; sample?: { judged: number; valid: number; rate: number | null } | null; failures?: Array<{ external_id: string; error: { message: string } | null }> } | null;
  result_cache?: { enabled: boolean; hits: number; saved_usd: number };
  pause_reason?: { type: string; message: string } | null;
  prompt_cache?: { marked: boolean; note: string } | null;
  created_at?: string;
  updated_at?: string;
  finished_at?: string | null;
}

export interface PluginInfo {
  name: string;
  kind: 'source' | 'sink';
  description?: string;
  origin?: string;
  config_schema?: JsonSchema;
  secret_fields?: string[];
}

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  default?: unknown;
  description?: string;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  additionalProperties?: boolean | JsonSchema;
  [key: string]: unknown;
}

export function isFinal(status: string): boolean {
  return (FINAL_STATUSES as readonly string[]).includes(status);
}

export function isPaused(status: string): boolean {
  return (PAUSED_STATUSES as readonly string[]).includes(status);
}

/** One `--config key=value` (or `key=@FILE`, `key=@-`) as given, before it is typed by the plugin's schema. */
export interface ConfigAssignment {
  key: string;
  raw: string;
  /** The value was read from a file or stdin (`@FILE`, `@-`), not typed on the command line. */
  fromFile?: boolean;
}
