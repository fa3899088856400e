// Builds the Messages request for one document of a job, and measures it: what plan and submit both rely on.
import { renderTemplate } from '../tasks/template.ts';
import { OUTPUT_TOOL_NAME, type ResolvedTask } from '../tasks/types.ts';
import type { Attachment, DocumentInput } from './document.ts';

export interface MessageParams {
  model: string;
  max_tokens: number;
  system?: string;
  messages: Array<{ role: 'user'; content: ContentBlock[] }>;
  tools: Array<{ name: string; description: string; input_schema: Record<string, unknown> }>;
  tool_choice: { type: 'tool'; name: string };
}

type ContentBlock =
  | { type: 'text'; text: string }
  | { type: 'document'; source: { type: 'base64'; media_type: 'application/pdf'; data: string } | { type: 'text'; media_type: 'text/plain'; data: string }; title?: string }
  | { type: 'image'; source: { type: 'base64'; media_type: 'image/png' | 'image/jpeg' | 'image/webp' | 'image/gif'; data: string } };

export function buildParams(task: ResolvedTask, doc: DocumentInput): MessageParams {
  const content: ContentBlock[] = (doc.attachments ?? []).map(attachmentBlock);
  content.push({ type: 'text', text: renderTemplate(task.prompt, doc) });
  return {
    model: task.model,
    max_tokens: task.max_tokens,
    ...(task.system ? { system: task.system } : {}),
    messages: [{ role: 'user', content }],
    tools: [{ name: OUTPUT_TOOL_NAME, description: `Record the ${task.name} result for this document.`, input_schema: task.output_schema }],
    // Forced tool use makes the answer a JSON object shaped by the task's schema.
    tool_choice: { type: 'tool', name: OUTPUT_TOOL_NAME },
  };
}

function attachmentBlock(a: Attachment): ContentBlock {
  if (a.media_type === 'application/pdf') {
    return { type: 'document', source: { type: 'base64', media_type: a.media_type, data: a.data }, ...(a.name ? { title: a.name } : {}) };
  }
  if (a.media_type === 'text/plain') {
    const text = Buffer.from(a.data, 'base64').toString('utf8');
    return { type: 'document', source: { type: 'text', media_type: 'text/plain', data: text }, ...(a.name ? { title: a.name } : {}) };
  }
  return { type: 'image', source: { type: 'base64', media_type: a.media_type, data: a.data } };
}

/** Bytes one request adds to a batch body, beyond its params: `{"custom_id":"…","params":…},`. */
export const REQUEST_ENVELOPE_BYTES = 96;
/** Bytes of the batch body around its requests: `{"requests":[…]}`. */
export const BATCH_ENVELOPE_BYTES = 16;

/** Measured, not guessed: the serialized size of the request as it will be sent. */
export function requestBytes(params: MessageParams): number {
  return Buffer.byteLength(JSON.stringify(params)) + REQUEST_ENVELOPE_BYTES;
}
