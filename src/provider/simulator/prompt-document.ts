// Finds the document inside a rendered task prompt: the text between the tags the built-in prompts wrap it
// in (<text>, <conversation>, <document>), the title, the metadata JSON, and a digest of any attachment.
// The simulator's answers for built-in tasks are a function of this, not of the custom_id.
import { sha256Hex } from './hash.ts';

export interface PromptDocument {
  /** The document's own text (the whole user text when no known tag wraps it). */
  text: string;
  title: string;
  metadata: Record<string, unknown>;
  /** sha256 of the attachments' data ('' without any): a PDF's answer depends on its bytes. */
  attachmentDigest: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The content blocks of the last user message. */
function lastUserBlocks(params: Record<string, unknown>): unknown[] {
  const messages = Array.isArray(params.messages) ? params.messages.filter(isRecord) : [];
  const lastUser = [...messages].reverse().find((message) => message.role === 'user');
  const content = lastUser?.content;
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  return Array.isArray(content) ? content : [];
}

// Tried in order: the built-in prompts' tags, then the block renderTemplate appends to a prompt without {{text}}.
const TEXT_TAGS = [/<text>\n?([\s\S]*?)\n?<\/text>/, /<conversation>\n?([\s\S]*?)\n?<\/conversation>/, /<document[^>]*>\n?([\s\S]*?)\n?<\/document>/];

function between(text: string, pattern: RegExp): string | undefined {
  return pattern.exec(text)?.[1];
}

function parseMetadata(raw: string | undefined): Record<string, unknown> {
  if (!raw || raw.trim() === '') return {};
  try {
    const parsed: unknown = JSON.parse(raw);
    return isRecord(parsed) ? parsed : {};
  } catch {
    return {};
  }
}

export function promptDocument(params: Record<string, unknown>): PromptDocument {
  const blocks = lastUserBlocks(params).filter(isRecord);
  const userText = blocks
    .filter((b) => b.type === 'text' && typeof b.text === 'string')
    .map((b) => b.text as string)
    .join('\n');
  let text: string | undefined;
  for (const tag of TEXT_TAGS) {
    text = between(userText, tag);
    if (text !== undefined) break;
  }
  const attachments = blocks.filter((b) => b.type === 'document' || b.type === 'image');
  // A text attachment (text/plain document block) is readable text too.
  const attachedText = attachments
    .map((b) => (isRecord(b.source) && b.source.type === 'text' && typeof b.source.data === 'string' ? b.source.data : ''))
    .filter(Boolean)
    .join('\n');
  return {
    text: [text ?? userText, attachedText].filter(Boolean).join('\n').trim(),
    title: (between(userText, /<title>([\s\S]*?)<\/title>/) ?? between(userText, /<subject>([\s\S]*?)<\/subject>/) ?? '').trim(),
    metadata: parseMetadata(between(userText, /<metadata>([\s\S]*?)<\/metadata>/)),
    attachmentDigest: attachments.length === 0 ? '' : sha256Hex(JSON.stringify(attachments.map((b) => b.source ?? null))),
  };
}
