// Builds the Messages request for one document of a job, and measures it: what plan and submit both rely on.
import { createHash } from 'node:crypto';
import { renderTemplate } from '../../tasks/template.ts';
import { OUTPUT_TOOL_NAME, type ResolvedTask } from '../../tasks/types.ts';
import type { Attachment, DocumentInput } from './document.ts';

/** Marks the end of a prompt-cache prefix: what comes before it is written once, then read at 10% of the price. */
export const CACHE_BREAKPOINT = { type: 'ephemeral' } as const;

export interface MessageParams {
  model: string;
  max_tokens: number;
  system?: Array<{ type: 'text'; text: string; cache_control?: typeof CACHE_BREAKPOINT }>;
  messages: Array<{ role: 'user'; content: ContentBlock[] }>;
  tools: Array<{ name: string; description: string; input_schema: Record<string, unknown>; cache_control?: typeof CACHE_BREAKPOINT }>;
  tool_choice: { type: 'tool'; name: string };
}

type ContentBlock =
  | { type: 'text'; text: string }
  | { type: 'document'; source: { type: 'base64'; media_type: 'application/pdf'; data: string } | { type: 'text'; media_type: 'text/plain'; data: string }; title?: string }
  | { type: 'image'; source: { type: 'base64'; media_type: 'image/png' | 'image/jpeg' | 'image/webp' | 'image/gif'; data: string } };

export interface BuildOptions {
  /**
   * Mark the task's shared prefix with cache_control. Only when it can be cached: a prefix below the
   * model's minimum caches nothing (the job's prompt_cache decision, prompt-cache.ts).
   */
  cachePrefix?: boolean;
}

export function buildParams(task: ResolvedTask, doc: DocumentInput, options: BuildOptions = {}): MessageParams {
  const content: ContentBlock[] = (doc.attachments ?? []).map(attachmentBlock);
  content.push({ type: 'text', text: renderTemplate(task.prompt, doc) });
  // The API caches tools, then system, then messages: one breakpoint at the end of the system prompt
  // (or of the tool, without one) makes every request of the job share the task's prefix from the cache.
  const mark = options.cachePrefix === true ? { cache_control: CACHE_BREAKPOINT } : {};
  const tool = { name: OUTPUT_TOOL_NAME, description: `Record the ${task.name} result for this document.`, input_schema: task.output_schema };
  return {
    model: task.model,
    max_tokens: task.max_tokens,
    ...(task.system ? { system: [{ type: 'text' as const, text: task.system, ...mark }] } : {}),
    messages: [{ role: 'user', content }],
    tools: [task.system ? tool : { ...tool, ...mark }],
    // Forced tool use makes the answer a JSON object shaped by the task's schema.
    tool_choice: { type: 'tool', name: OUTPUT_TOOL_NAME },
  };
}

/**
 * The result cache's key: sha256 of everything that makes the request what it is. Only the prompt text
 * and the attachments vary between documents of a task, so the rest is hashed once; a file is named by
 * its content hash (its bytes are read only when sent).
 */
export function requestHasher(task: ResolvedTask): (doc: DocumentInput & { files?: ReadonlyArray<{ sha256: string; media_type: string; name?: string }> }) => string {
  // Canonical JSON (sorted keys): a task or metadata read back from jsonb has its keys in another order
  // than the one a request built it with, and must still hash the same (an experiment's arm and its
  // promoted job, an inline job and a source-read one). Whether the prefix is marked for the prompt cache
  // changes the bill, not the answer, so it is left out.
  const fixed = createHash('sha256').update(canonicalJson(buildParams(task, { id: '', text: '' }))).digest('hex');
  return (doc) => {
    const metadata = doc.metadata ? (JSON.parse(canonicalJson(doc.metadata)) as Record<string, unknown>) : undefined;
    const hash = createHash('sha256').update(fixed).update('\0').update(renderTemplate(task.prompt, { ...doc, ...(metadata ? { metadata } : {}) }));
    for (const a of doc.attachments ?? []) hash.update('\0').update(a.media_type).update('\0').update(a.name ?? '').update('\0').update(a.data);
    for (const f of doc.files ?? []) hash.update('\0file\0').update(f.media_type).update('\0').update(f.name ?? '').update('\0').update(f.sha256);
    return hash.digest('hex');
  };
}

/**
 * Serializes `{custom_id, params}` exactly as JSON.stringify would, for many documents of one task: the
 * request is the same but for its messages, so everything around them is serialized once.
 */
export function requestSerializer(task: ResolvedTask, options: BuildOptions = {}): (customId: string, doc: DocumentInput) => string {
  const HOLE = '\u0000messages\u0000';
  const template = JSON.stringify({ custom_id: HOLE, params: { ...buildParams(task, { id: '', text: '' }, options), messages: HOLE } });
  const [head = '', middle = '', tail = ''] = template.split(JSON.stringify(HOLE));
  return (customId, doc) => {
    const content: ContentBlock[] = (doc.attachments ?? []).map(attachmentBlock);
    content.push({ type: 'text', text: renderTemplate(task.prompt, doc) });
    return `${head}${JSON.stringify(customId)}${middle}${JSON.stringify([{ role: 'user', content }])}${tail}`;
  };
}

/** JSON with every object's keys sorted, so two values equal as data serialize alike. */
function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const record = value as Record<string, unknown>;
  return `{${Object.keys(record)
    .filter((k) => record[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k])}`)
    .join(',')}}`;
}

/** Bytes of a file's content block without its data, for measuring a request before the file is read. */
export function fileBlockOverhead(mediaType: Attachment['media_type'], name: string | undefined): number {
  return Buffer.byteLength(JSON.stringify(attachmentBlock({ media_type: mediaType, data: '', ...(name ? { name } : {}) }))) + 1;
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

/**
 * Measures requests of one task fast: the request is the same for every document but for the prompt
 * text and the attachments, so the rest is serialized once. Exactly requestBytes(buildParams(…)).
 */
export function requestSizer(task: ResolvedTask, options: BuildOptions = {}): (doc: DocumentInput, prompt?: string) => number {
  const empty = buildParams(task, { id: '', text: '' }, options);
  empty.messages[0]!.content = [{ type: 'text', text: '' }];
  // Everything but the text block's string value (`""`) and the comma before a following block.
  const base = requestBytes(empty) - 2;
  return (doc, prompt = renderTemplate(task.prompt, doc)) => {
    let bytes = base + Buffer.byteLength(JSON.stringify(prompt));
    for (const a of doc.attachments ?? []) bytes += Buffer.byteLength(JSON.stringify(attachmentBlock(a))) + 1;
    return bytes;
  };
}

/** Measured, not guessed: the serialized size of the request as it will be sent. */
export function requestBytes(params: MessageParams): number {
  return Buffer.byteLength(JSON.stringify(params)) + REQUEST_ENVELOPE_BYTES;
}
