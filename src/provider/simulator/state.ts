// The simulator's whole in-memory state, passed to every handler as one context object.
import { copyFaults } from './faults-schema.ts';
import { createNotifier, type NotifierState } from './notify-state.ts';
import { createPromptCache, type PromptCache } from './prompt-cache.ts';
import { createInternTable, type InternTable } from './intern.ts';
import type { ModelErrorRates } from './model-errors.ts';
import { createCounters, type StatsCounters } from './stats.ts';
import { createStore, type BatchStore } from './store.ts';
import type { SimulatorFaults, SimulatorOptions } from './types.ts';

export interface SimState {
  apiKey: string | null;
  maxRequests: number;
  maxBodyBytes: number;
  now: () => number;
  faults: SimulatorFaults;
  processingMs: number;
  store: BatchStore;
  counters: StatsCounters;
  cache: PromptCache;
  /** Shared parts of held requests, kept once. */
  interned: InternTable;
  notifier: NotifierState;
  /** Share of answer fields each model gets wrong (built-in tasks). */
  modelErrorRates: ModelErrorRates;
  /** http://host:port of the listening server; results_url falls back to it when a request has no Host. */
  origin: string;
}

// Reference §8: 100,000 requests or 256 MB per batch.
const MAX_REQUESTS = 100_000;
const MAX_BODY_BYTES = 256 * 1024 * 1024;

export function createState(options: SimulatorOptions): SimState {
  return {
    apiKey: options.apiKey ?? null,
    maxRequests: options.maxRequests ?? MAX_REQUESTS,
    maxBodyBytes: options.maxBodyBytes ?? MAX_BODY_BYTES,
    now: options.now ?? Date.now,
    faults: copyFaults(options.faults ?? {}),
    processingMs: Math.max(0, options.processingMs ?? 0),
    store: createStore(),
    counters: createCounters(),
    cache: createPromptCache(options.promptCache),
    interned: createInternTable(),
    notifier: createNotifier(options.notify),
    modelErrorRates: { ...options.modelErrorRates },
    origin: '',
  };
}
