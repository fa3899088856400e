// Counters the simulator keeps for tests; Maps internally so 100,000+ ids stay cheap, records only on snapshot.
import type { SimulatorStats } from './types.ts';

export interface StatsCounters {
  creates: number;
  requestsSubmitted: number;
  byCustomId: Map<string, number>;
  /** Also the memory of which params were already submitted (first-submission faults). */
  byParamsHash: Map<string, number>;
  callsByRoute: Map<string, number>;
  resultsDownloads: number;
  /** 404s answered for batches that exist (the notFound fault switches). */
  invisibleAnswers: number;
  notificationsSent: number;
  notificationFailures: number;
}

export function createCounters(): StatsCounters {
  return {
    creates: 0,
    requestsSubmitted: 0,
    byCustomId: new Map(),
    byParamsHash: new Map(),
    callsByRoute: new Map(),
    resultsDownloads: 0,
    invisibleAnswers: 0,
    notificationsSent: 0,
    notificationFailures: 0,
  };
}

export function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

export function recordSubmission(counters: StatsCounters, customId: string, paramsHashHex: string): void {
  counters.requestsSubmitted += 1;
  bump(counters.byCustomId, customId);
  bump(counters.byParamsHash, paramsHashHex);
}

export function snapshotStats(counters: StatsCounters, batches: number): SimulatorStats {
  return {
    creates: counters.creates,
    requestsSubmitted: counters.requestsSubmitted,
    submissionsByCustomId: Object.fromEntries(counters.byCustomId),
    submissionsByParamsHash: Object.fromEntries(counters.byParamsHash),
    batches,
    callsByRoute: Object.fromEntries(counters.callsByRoute),
    resultsDownloads: counters.resultsDownloads,
    invisibleAnswers: counters.invisibleAnswers,
    notificationsSent: counters.notificationsSent,
    notificationFailures: counters.notificationFailures,
  };
}
