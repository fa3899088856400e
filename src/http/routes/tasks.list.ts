// GET /v1/tasks: the built-in tasks with their output JSON Schemas.
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { builtinTasks, toJsonSchema } from '../../tasks/registry.ts';
import { apiProblems } from './shared.schemas.ts';

const EXAMPLE_TASK = {
  name: 'ticket-triage',
  description: 'Support tickets → category, priority, sentiment, summary, suggested tags, needs_human',
  model: 'claude-haiku-5-5',
  max_tokens: 1024,
  output_schema: {
    type: 'object',
    properties: {
      category: { type: 'string', enum: ['billing', 'technical', 'account', 'shipping', 'feature_request', 'complaint', 'other'] },
      priority: { type: 'string', enum: ['low', 'normal', 'high', 'urgent'] },
      summary: { type: 'string' },
    },
    required: ['category', 'priority', 'summary'],
  },
};

const TaskSchema = z
  .object({
    name: z.string().openapi({ description: 'Give it as `task` in POST /v1/jobs' }),
    description: z.string(),
    model: z.string().openapi({ description: 'Default model (a job may override it)' }),
    max_tokens: z.number().int().openapi({ description: 'Default max_tokens per answer (a job may override it)' }),
    output_schema: z.record(z.string(), z.unknown()).openapi({ description: 'JSON Schema of `output` in each succeeded result' }),
  })
  .openapi('Task', { description: 'A built-in task: a prompt, and the JSON Schema every answer is validated against', example: EXAMPLE_TASK });

const route = createRoute({
  method: 'get',
  path: '/v1/tasks',
  operationId: 'listTasks',
  tags: ['tasks'],
  summary: 'List built-in tasks',
  description: 'The tasks a job can name, with the JSON Schema of their answers. A job may also bring its own task inline (see CreateJob).',
  security: [{ bearer: [] }],
  responses: {
    200: {
      description: 'Every built-in task',
      content: { 'application/json': { schema: z.object({ data: z.array(TaskSchema) }), example: { data: [EXAMPLE_TASK] } } },
    },
    ...apiProblems(401),
  },
});

export function registerTasksList(app: OpenAPIHono): void {
  const data = builtinTasks().map((t) => ({ name: t.name, description: t.description, model: t.model, max_tokens: t.max_tokens, output_schema: toJsonSchema(t.output) }));
  app.openapi(route, (c) => c.json({ data }, 200));
}
