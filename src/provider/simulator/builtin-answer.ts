// Answers for Batchline's built-in tasks, recognised by the properties of the forced tool's schema: a
// deterministic function of the document in the prompt (so "broke after a week" is not "positive"), then
// the model's settable error rate applied field by field. Any other schema gets null (the caller falls
// back to a sample of the schema).
import { paramsHash } from './hash.ts';
import { invoiceAnswer } from './invoice-answer.ts';
import { errorRateFor, withModelErrors, type ModelErrorRates } from './model-errors.ts';
import { promptDocument, type PromptDocument } from './prompt-document.ts';
import { reviewAnswer } from './review-answer.ts';
import { ticketAnswer } from './ticket-answer.ts';

type BuiltinTask = 'review-insights' | 'ticket-triage' | 'invoice-extraction';

const SIGNATURES: ReadonlyArray<[BuiltinTask, readonly string[], (doc: PromptDocument) => object]> = [
  ['review-insights', ['sentiment', 'score', 'key_points', 'issues', 'summary'], reviewAnswer],
  ['ticket-triage', ['category', 'priority', 'sentiment', 'summary', 'suggested_tags', 'needs_human'], ticketAnswer],
  ['invoice-extraction', ['invoice_number', 'issue_date', 'due_date', 'vendor', 'customer', 'currency', 'subtotal', 'tax', 'total', 'line_items'], invoiceAnswer],
];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Which built-in task a tool's input schema is (exactly its top-level properties), if any. */
export function builtinTaskOf(schema: unknown): BuiltinTask | undefined {
  if (!isRecord(schema) || !isRecord(schema.properties)) return undefined;
  const keys = Object.keys(schema.properties).sort().join(',');
  return SIGNATURES.find(([, fields]) => [...fields].sort().join(',') === keys)?.[0];
}

/** The answer a model gives to a built-in task's request, or null for any other schema. */
export function builtinAnswer(schema: unknown, params: Record<string, unknown>, rates: ModelErrorRates | undefined): Record<string, unknown> | null {
  const task = builtinTaskOf(schema);
  const signature = SIGNATURES.find(([name]) => name === task);
  if (!signature || !isRecord(schema)) return null;
  const truth = signature[2](promptDocument(params)) as Record<string, unknown>;
  const model = String(params.model ?? '');
  return withModelErrors(truth, schema, errorRateFor(rates, model), { model, paramsHash: paramsHash(params) });
}
