// Builds the assistant Message for one request: a forced tool call with schema-valid input, or a short text.
import type { ContentBlock, Message, StopReason } from '@anthropic-ai/sdk/resources/messages';
import { builtinAnswer } from './builtin-answer.ts';
import { hash32 } from './hash.ts';
import { derivedBase62 } from './ids.ts';
import type { ModelErrorRates } from './model-errors.ts';
import type { CacheUsage } from './prompt-cache.ts';
import { sampleFromJsonSchema } from './schema-sample.ts';
import { estimateInputTokens, estimateOutputTokens } from './tokens.ts';

export interface AnswerInput {
  /** Params already accepted by messageParamsProblem. */
  params: Record<string, unknown>;
  /** Varies the answer between requests. */
  seed: string;
  /** Fixes the message and tool-use ids, so a repeated download is identical. */
  idSeed: string;
  cache: CacheUsage | null;
  serviceTier: 'batch' | 'standard';
  /** Answer the forced tool with input that ignores its schema (fault injection). */
  offSchema?: boolean;
  /** Share of answer fields each model gets wrong (built-in tasks only). */
  errorRates?: ModelErrorRates;
}

const OPENERS = ['Here is a brief answer', 'Short reply', 'Answering briefly', 'In short', 'Quick take'];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// tool_choice {type:"tool"} forces the named tool; {type:"any"} forces a tool, so the first one is used.
function forcedTool(params: Record<string, unknown>): Record<string, unknown> | null {
  const choice = params.tool_choice;
  const tools = Array.isArray(params.tools) ? params.tools.filter(isRecord) : [];
  if (!isRecord(choice)) return null;
  if (choice.type === 'tool') return tools.find((tool) => tool.name === choice.name) ?? null;
  if (choice.type === 'any') return tools.find((tool) => isRecord(tool.input_schema)) ?? null;
  return null;
}

function lastUserText(params: Record<string, unknown>): string {
  const messages = Array.isArray(params.messages) ? params.messages.filter(isRecord) : [];
  const lastUser = [...messages].reverse().find((message) => message.role === 'user');
  const content = lastUser?.content;
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    const textBlock = content.find((block) => isRecord(block) && block.type === 'text' && typeof block.text === 'string');
    if (isRecord(textBlock) && typeof textBlock.text === 'string') return textBlock.text;
  }
  return '';
}

function textAnswer(params: Record<string, unknown>, seed: string): string {
  const snippet = lastUserText(params).replace(/\s+/g, ' ').trim().slice(0, 48);
  const opener = OPENERS[hash32(seed) % OPENERS.length] ?? 'Reply';
  return `${opener} to "${snippet}": this is a simulated response.`;
}

// A built-in task's answer follows the document; any other schema gets a sample varied by the seed.
function toolInput(schema: unknown, input: AnswerInput): unknown {
  return builtinAnswer(schema, input.params, input.errorRates) ?? sampleFromJsonSchema(schema, input.seed);
}

function buildContent(input: AnswerInput): { content: ContentBlock[]; stopReason: StopReason } {
  const tool = forcedTool(input.params);
  if (tool !== null && typeof tool.name === 'string') {
    return {
      content: [
        {
          type: 'tool_use',
          id: `toolu_${derivedBase62(`tool:${input.idSeed}`, 24)}`,
          name: tool.name,
          input: input.offSchema ? { answer: 'I could not follow the schema.' } : toolInput(tool.input_schema, input),
          caller: { type: 'direct' },
        },
      ],
      stopReason: 'tool_use',
    };
  }
  return { content: [{ type: 'text', text: textAnswer(input.params, input.seed), citations: null }], stopReason: 'end_turn' };
}

export function buildMessage(input: AnswerInput): Message {
  const { params, cache } = input;
  let { content, stopReason } = buildContent(input);
  const maxTokens = typeof params.max_tokens === 'number' ? params.max_tokens : Number.POSITIVE_INFINITY;
  let outputTokens = estimateOutputTokens(content);
  if (outputTokens > maxTokens) {
    // Text is cut like a real generation; a tool call keeps its input so it stays parseable.
    content = content.map((block) => (block.type === 'text' ? { ...block, text: block.text.slice(0, maxTokens * 2) } : block));
    outputTokens = maxTokens;
    stopReason = 'max_tokens';
  }
  const cacheRead = cache?.read ?? 0;
  const cacheCreated = (cache?.create5m ?? 0) + (cache?.create1h ?? 0);
  return {
    id: `msg_${derivedBase62(`msg:${input.idSeed}`, 24)}`,
    type: 'message',
    role: 'assistant',
    model: String(params.model),
    content,
    stop_reason: stopReason,
    stop_sequence: null,
    stop_details: null,
    container: null,
    diagnostics: null,
    usage: {
      input_tokens: Math.max(0, estimateInputTokens(params) - cacheRead - cacheCreated),
      output_tokens: outputTokens,
      cache_creation_input_tokens: cacheCreated,
      cache_read_input_tokens: cacheRead,
      cache_creation: { ephemeral_5m_input_tokens: cache?.create5m ?? 0, ephemeral_1h_input_tokens: cache?.create1h ?? 0 },
      server_tool_use: null,
      output_tokens_details: null,
      service_tier: input.serviceTier,
      inference_geo: null,
      speed: null,
    },
  };
}
