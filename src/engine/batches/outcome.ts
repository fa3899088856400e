// Reads one results line: validates the answer against the task's schema and decides the item's next state.
import type { MessageBatchIndividualResponse } from '@anthropic-ai/sdk/resources/messages/batches';
import type { z } from 'zod';
import type { ErrorInfo, ResultOutcome } from '../../db/types.ts';
import { OUTPUT_TOOL_NAME } from '../../tasks/types.ts';

/** Inner error types worth a new submission (Batches reference §11); everything else is the request's fault. */
export const RETRYABLE_ERROR_TYPES: ReadonlySet<string> = new Set(['api_error', 'overloaded_error', 'rate_limit_error', 'timeout_error']);

/** `retry` means worth another submission; whether attempts remain is decided in SQL (collect.ts). */
export type NextItemState = 'succeeded' | 'failed' | 'retry' | 'canceled';

export interface LineOutcome {
  outcome: ResultOutcome;
  next: NextItemState;
  output: unknown;
  error: ErrorInfo | null;
  model: string | null;
  usage: { input_tokens: number; output_tokens: number; cache_creation_input_tokens: number; cache_read_input_tokens: number };
}

const NO_USAGE = { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };

export interface OutcomeOptions {
  validator: z.ZodType;
  /** The job asked to cancel: a canceled line is final, not a reason to retry. */
  cancelRequested: boolean;
}

export function outcomeOf(line: MessageBatchIndividualResponse, options: OutcomeOptions): LineOutcome {
  const result = line.result;
  switch (result.type) {
    case 'succeeded': {
      const message = result.message;
      const usage = {
        input_tokens: message.usage.input_tokens ?? 0,
        output_tokens: message.usage.output_tokens ?? 0,
        cache_creation_input_tokens: message.usage.cache_creation_input_tokens ?? 0,
        cache_read_input_tokens: message.usage.cache_read_input_tokens ?? 0,
      };
      const base = { model: message.model, usage };
      const toolUse = message.content.find((b) => b.type === 'tool_use' && b.name === OUTPUT_TOOL_NAME);
      if (!toolUse || toolUse.type !== 'tool_use') {
        const why = message.stop_reason === 'max_tokens' ? 'the answer was cut off at max_tokens' : `no ${OUTPUT_TOOL_NAME} tool call in the answer (stop_reason ${message.stop_reason})`;
        return { ...base, outcome: 'invalid_output', next: 'failed', output: null, error: { type: 'invalid_output', message: why } };
      }
      const parsed = options.validator.safeParse(toolUse.input);
      if (!parsed.success) {
        const message = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
        return { ...base, outcome: 'invalid_output', next: 'failed', output: toolUse.input, error: { type: 'invalid_output', message } };
      }
      return { ...base, outcome: 'succeeded', next: 'succeeded', output: parsed.data, error: null };
    }
    case 'errored': {
      const inner = result.error.error;
      const error = { type: inner.type, message: inner.message };
      const next = RETRYABLE_ERROR_TYPES.has(inner.type) ? 'retry' : 'failed';
      return { outcome: 'errored', next, output: null, error, model: null, usage: NO_USAGE };
    }
    case 'expired': {
      const error = { type: 'expired', message: 'the batch expired before this request was processed' };
      return { outcome: 'expired', next: 'retry', output: null, error, model: null, usage: NO_USAGE };
    }
    case 'canceled': {
      const error = { type: 'canceled', message: 'the batch was canceled before this request was processed' };
      const next = options.cancelRequested ? 'canceled' : 'retry';
      return { outcome: 'canceled', next, output: null, error, model: null, usage: NO_USAGE };
    }
  }
}
