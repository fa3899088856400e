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

/**
 * 404s for batches that exist, as the real API has been seen to answer while a new id propagates
 * (reference §12): right after create, now and then while the batch runs, and on results just after it ended.
 */
export interface NotFoundFaults {
  /** The first retrieve of each batch answers 404. */
  firstRetrieve?: boolean;
  /** Share (0..1) of the other retrieves of each batch that answer 404. */
  retrieveRate?: number;
  /** The first results download of each ended batch answers 404. */
  firstResults?: boolean;
}

export interface SimulatorFaults {
  http?: HttpFault[];
  notFound?: NotFoundFaults;
  /** The first N retrieves of each ended batch answer `ended` with `results_url` still null. */
  endedWithoutResultsUrl?: number;
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
  /** 404s answered for batches that exist (the notFound fault switches). */
  invisibleAnswers: number;
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
  promptCache?: PromptCacheOptions;
  /** Model name (or `*`) → share (0..1) of answer fields of built-in tasks that model gets wrong. */
  modelErrorRates?: Record<string, number>;
}

/** How the simulated prompt cache follows the API's rules (reference §14). */
export interface PromptCacheOptions {
  /**
   * Minimum cacheable prefix by model, over the published table (`[["claude-haiku-5-5", 2048], ["*", 4096]]`);
   * a shorter marked prefix caches nothing.
   */
  minTokens?: ReadonlyArray<readonly [string, number]>;
  /** Share (0..1) of requests whose prefix is in the cache that read it; the rest write it again. Default 0.5. */
  hitRate?: number;
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
  /** Loses a batch, whatever its state: from now on every call about it answers 404 (a batch that really disappeared). */
  forgetBatch(id: string): boolean;
  /** Replaces the per-model error rates (see SimulatorOptions.modelErrorRates). */
  setModelErrorRates(rates: Record<string, number>): void;
}

/** `off_schema`: the request succeeds but the forced tool's input ignores its schema (a model mistake). */
export type ItemFaultKind = 'overloaded_error' | 'api_error' | 'invalid_request_error' | 'expired' | 'off_schema';
