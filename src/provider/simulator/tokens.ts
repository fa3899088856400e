// Token estimates: about four characters of serialized JSON per token, as a stand-in for a real tokenizer.

export function tokensForText(text: string): number {
  return Math.ceil(text.length / 4);
}

/** Input tokens of a Messages request: its system prompt, messages and tools, serialized. */
export function estimateInputTokens(params: Record<string, unknown>): number {
  return tokensForText(JSON.stringify([params.system ?? null, params.messages ?? [], params.tools ?? []]));
}

/** Output tokens of an answer's content blocks. */
export function estimateOutputTokens(content: unknown): number {
  return tokensForText(JSON.stringify(content) ?? '');
}
