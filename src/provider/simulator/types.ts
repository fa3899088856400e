// Public types of the Message Batches simulator: its options, fault knobs, stats and handle.

/** Routes whose next calls can be made to fail with an HTTP status. */
export type FaultRoute =
  | 'create'
  | 'retrieve'
  | 'list'
  | 'cancel'
  | 'delete'
  | 'results'
  | 'count_tokens'
  | 'messages';

export interface HttpFault {
  route: FaultRoute;
  status: number;
  /** How many of the next calls of `route` fail; counted down as used. */
  times: number;
  retryAfterSeconds?: number;
}

/** Fractions (0..1) of requests whose result is errored with that inner error type, or expired. */
export interface ItemFaults {
  overloaded?: number;
  apiError?: number;
  invalidRequest?: number;
  expired?: number;
  /** Succeeded, but the forced tool's input misses the schema's required fields. */
  offSchema?: number;
  /** By default a fault hits only the first submission of given params; true makes it permanent. */
  everyAttempt?: boolean;
}

export interface SimulatorFaults {
  http?: HttpFault[];
  items?: ItemFaults;
  /** The next N results downloads are cut midway (partial line, then the socket is destroyed). */
  cutResults?: number;
  /** Fraction of a canceled batch's requests that still succeed, as if they were in flight. */
  cancelSucceedFraction?: number;
}

export interface SimulatorStats {
  creates: number;
  requestsSubmitted: number;
  submissionsByCustomId: Record<string, number>;
  submissionsByParamsHash: Record<string, number>;
  /** Batches currently held (created and not deleted). */
  batches: number;
  callsByRoute: Record<string, number>;
  resultsDownloads: number;
  /** Completion callbacks answered with a 2xx (a `duplicate` replay counts as one more). */
  notificationsSent: number;
  /** Completion callbacks given up on after every retry failed. */
  notificationFailures: number;
}

/**
 * Plays the external notifier teams run beside the real API (which has no completion webhooks): when a batch
 * ends, POST a Standard Webhooks-signed `message_batch.ended` event to `url`.
 */
export interface NotifyOptions {
  url: string;
  /** `whsec_` + base64 of the key, as Standard Webhooks prints symmetric secrets. */
  secret: string;
  /** Wait between the end of a batch and the first delivery attempt; default 0. */
  delayMs?: number;
  /** Send the identical request (same webhook-id, headers and body) a second time, to test replay protection. */
  duplicate?: boolean;
}

export interface SimulatorOptions {
  host?: string;
  port?: number;
  /** When set, the key sent by the client must equal it. */
  apiKey?: string;
  /** Time from create until a batch ends; 0 ends it at the first look after create. */
  processingMs?: number;
  faults?: SimulatorFaults;
  /** Requests allowed per batch (API limit: 100,000). */
  maxRequests?: number;
  /** Largest accepted request body (API limit: 256 MB). */
  maxBodyBytes?: number;
  /** Clock, for tests that move time by hand. */
  now?: () => number;
  /** When set, batches end on a timer (not only when looked at) and each end is announced once to a callback URL. */
  notify?: NotifyOptions;
  /** Model name (or `*`) → share (0..1) of answer fields of built-in tasks that model gets wrong. */
  modelErrorRates?: Record<string, number>;
}

export interface Simulator {
  url: string;
  port: number;
  close(): Promise<void>;
  stats(): SimulatorStats;
  /** Every request submitted so far, as sent (tests check what prompts carried). */
  submitted(): IterableIterator<{ custom_id: string; params: Record<string, unknown> }>;
  setFaults(faults: SimulatorFaults): void;
  setProcessingMs(ms: number): void;
  /** Turns the completion notifier on (or replaces its settings) or, with undefined, off. */
  setNotify(n: SimulatorOptions['notify'] | undefined): void;
  /** Replaces the per-model error rates (see SimulatorOptions.modelErrorRates). */
  setModelErrorRates(rates: Record<string, number>): void;
}
