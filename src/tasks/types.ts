// What a task is: instructions for Claude plus the JSON shape its answer must take.
import type { z } from 'zod';

export interface TaskDefinition {
  name: string;
  description: string;
  /** System prompt: the stable prefix shared by every request of a job. */
  system: string;
  /** User prompt template; placeholders: {{text}}, {{id}}, {{title}}, {{metadata}}, {{metadata.<key>}}. */
  prompt: string;
  /** Validates the answer; built-in tasks hand in their zod schema, custom tasks one built from JSON Schema. */
  output: z.ZodType;
  model: string;
  max_tokens: number;
}

/** The task as stored on a job row: everything needed to build requests and validate answers later. */
export interface ResolvedTask {
  name: string;
  builtin: boolean;
  system: string | null;
  prompt: string;
  output_schema: Record<string, unknown>;
  model: string;
  max_tokens: number;
}

/** The name of the forced tool whose input is the structured answer. */
export const OUTPUT_TOOL_NAME = 'record_output';
