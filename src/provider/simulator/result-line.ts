// Builds one JSONL results line ({custom_id, result}) of an ended batch from its stored outcome.
import type { MessageBatchResult } from '@anthropic-ai/sdk/resources/messages';
import type { ErrorObject } from '@anthropic-ai/sdk/resources/shared';
import { buildMessage } from './answer.ts';
import { ITEM_FAULT_MESSAGES } from './faults.ts';
import type { ModelErrorRates } from './model-errors.ts';
import { OUTCOME, type BatchRecord } from './store.ts';

function errored(error: ErrorObject): MessageBatchResult {
  // Reference §4: the inner error is a full ErrorResponse envelope, hence error.error.
  return { type: 'errored', error: { type: 'error', error, request_id: null } };
}

function resultOf(batch: BatchRecord, index: number, errorRates: ModelErrorRates | undefined): MessageBatchResult {
  const request = batch.requests[index];
  const outcome = batch.outcomes?.[index];
  if (request === undefined || outcome === undefined) throw new Error(`no outcome for request ${index} of ${batch.id}`);
  switch (outcome) {
    case OUTCOME.canceled:
      return { type: 'canceled' };
    case OUTCOME.expired:
      return { type: 'expired' };
    case OUTCOME.errored:
      if (request.problem !== null) return errored({ type: 'invalid_request_error', message: request.problem });
      if (request.fault !== null && request.fault !== 'expired' && request.fault !== 'off_schema') {
        return errored({ type: request.fault, message: ITEM_FAULT_MESSAGES[request.fault] });
      }
      return errored({ type: 'api_error', message: 'Internal server error' });
    default:
      return {
        type: 'succeeded',
        message: buildMessage({
          params: request.params,
          seed: `${request.customId}:${request.paramsHash}`,
          idSeed: `${batch.id}:${index}`,
          cache: batch.cacheUsage.get(index) ?? null,
          serviceTier: 'batch',
          offSchema: request.fault === 'off_schema',
          ...(errorRates ? { errorRates } : {}),
        }),
      };
  }
}

export function resultLine(batch: BatchRecord, index: number, errorRates?: ModelErrorRates): string {
  const request = batch.requests[index];
  return JSON.stringify({ custom_id: request?.customId, result: resultOf(batch, index, errorRates) });
}
