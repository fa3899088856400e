// Checks one Messages request's params; a problem becomes that request's invalid_request_error, not a failed create.

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function messagesProblem(messages: unknown): string | null {
  if (messages === undefined) return 'messages: Field required';
  if (!Array.isArray(messages)) return 'messages: Input should be a valid list';
  if (messages.length === 0) return 'messages: at least one message is required';
  for (const [index, message] of messages.entries()) {
    if (!isRecord(message)) return `messages.${index}: Input should be a valid dictionary`;
    if (message.role !== 'user' && message.role !== 'assistant') {
      return `messages.${index}.role: Input should be 'user' or 'assistant'`;
    }
    if (typeof message.content !== 'string' && !Array.isArray(message.content)) {
      return `messages.${index}.content: Input should be a valid string or list of content blocks`;
    }
  }
  return null;
}

/** The first problem with a non-streaming Messages request's params, or null when it can run. */
export function messageParamsProblem(params: unknown): string | null {
  if (!isRecord(params)) return 'params: Input should be a valid dictionary';
  if (params.model === undefined) return 'model: Field required';
  if (typeof params.model !== 'string' || params.model === '') return 'model: Input should be a valid string';
  if (params.max_tokens === undefined) return 'max_tokens: Field required';
  if (typeof params.max_tokens !== 'number' || !Number.isInteger(params.max_tokens) || params.max_tokens < 1) {
    return 'max_tokens: Input should be a positive integer';
  }
  if (params.stream === true) return 'stream: streaming is not supported for this request';
  return messagesProblem(params.messages);
}

/** The first problem with a count_tokens body (model and messages required, no max_tokens). */
export function countTokensProblem(body: unknown): string | null {
  if (!isRecord(body)) return 'body: Input should be a valid dictionary';
  if (body.model === undefined) return 'model: Field required';
  if (typeof body.model !== 'string' || body.model === '') return 'model: Input should be a valid string';
  return messagesProblem(body.messages);
}
