// Fault injection: HTTP failures for a route's next calls, per-request errored/expired results, cut downloads.
import { unitFromHex, unitFromText } from './hash.ts';
import type { BatchRecord } from './store.ts';
import type { FaultRoute, HttpFault, ItemFaultKind, ItemFaults, SimulatorFaults } from './types.ts';

export const ITEM_FAULT_MESSAGES: Record<Exclude<ItemFaultKind, 'expired' | 'off_schema'>, string> = {
  overloaded_error: 'Overloaded',
  api_error: 'Internal server error',
  invalid_request_error: 'Simulated invalid request',
};

/** Takes one use of the first pending HTTP fault for `route`, or null when the call should go through. */
export function takeHttpFault(faults: SimulatorFaults, route: FaultRoute): HttpFault | null {
  const fault = faults.http?.find((candidate) => candidate.route === route && candidate.times > 0);
  if (fault === undefined) return null;
  fault.times -= 1;
  return fault;
}

// Status → error type as the real API uses them (reference §5).
export function errorTypeForStatus(status: number): string {
  switch (status) {
    case 401:
      return 'authentication_error';
    case 402:
      return 'billing_error';
    case 403:
      return 'permission_error';
    case 404:
      return 'not_found_error';
    case 409:
      return 'conflict_error';
    case 413:
      return 'request_too_large';
    case 429:
      return 'rate_limit_error';
    case 408:
    case 504:
      return 'timeout_error';
    case 529:
      return 'overloaded_error';
    default:
      return status >= 500 ? 'api_error' : 'invalid_request_error';
  }
}

function fraction(value: number | undefined): number {
  return Math.min(1, Math.max(0, value ?? 0));
}

/**
 * The fault a request's params draw, from their hash (not the custom_id), so the same document draws the
 * same fault whatever id it is sent under. The fractions are stacked in a fixed order on one [0, 1) draw.
 */
export function itemFaultFor(paramsHashHex: string, items: ItemFaults | undefined): ItemFaultKind | null {
  if (items === undefined) return null;
  const draw = unitFromHex(paramsHashHex);
  const bands: Array<[number | undefined, ItemFaultKind]> = [
    [items.overloaded, 'overloaded_error'],
    [items.apiError, 'api_error'],
    [items.invalidRequest, 'invalid_request_error'],
    [items.expired, 'expired'],
    [items.offSchema, 'off_schema'],
  ];
  let edge = 0;
  for (const [share, kind] of bands) {
    edge += fraction(share);
    if (draw < edge) return kind;
  }
  return null;
}

/** Takes one pending cut download, if any. */
export function takeCutResults(faults: SimulatorFaults): boolean {
  if ((faults.cutResults ?? 0) <= 0) return false;
  faults.cutResults = (faults.cutResults ?? 1) - 1;
  return true;
}

/** Whether request `index` of a canceled batch was "in flight" and finishes anyway. */
export function survivesCancel(batchId: string, index: number, succeedFraction: number | undefined): boolean {
  return unitFromText(`${batchId}:${index}`) < fraction(succeedFraction);
}

/**
 * Whether this retrieve of an existing batch answers 404 (counted first, so the first retrieve is look 1).
 * The random share is drawn from the batch id and the look number: the same run repeats itself.
 */
export function invisibleOnRetrieve(faults: SimulatorFaults, batch: BatchRecord): boolean {
  batch.looks.retrieve += 1;
  const notFound = faults.notFound;
  if (notFound === undefined) return false;
  if (batch.looks.retrieve === 1 && notFound.firstRetrieve === true) return true;
  return unitFromText(`${batch.id}:retrieve:${batch.looks.retrieve}`) < fraction(notFound.retrieveRate);
}

/** Whether this results download of an ended batch answers 404. */
export function invisibleOnResults(faults: SimulatorFaults, batch: BatchRecord): boolean {
  batch.looks.results += 1;
  return batch.looks.results === 1 && faults.notFound?.firstResults === true;
}

/** Whether this retrieve of an ended batch answers with results_url still null. */
export function endedWithoutResultsUrl(faults: SimulatorFaults, batch: BatchRecord): boolean {
  batch.looks.endedRetrieve += 1;
  return batch.looks.endedRetrieve <= (faults.endedWithoutResultsUrl ?? 0);
}
