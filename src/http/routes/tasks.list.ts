// GET /v1/tasks: the built-in tasks with their output JSON Schemas.
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { builtinTasks, toJsonSchema } from '../../tasks/registry.ts';
import { problemResponses } from '../schemas.ts';

const TaskSchema = z
  .object({ name: z.string(), description: z.string(), model: z.string(), max_tokens: z.number().int(), output_schema: z.record(z.string(), z.unknown()) })
  .openapi('Task');

const route = createRoute({
  method: 'get',
  path: '/v1/tasks',
  tags: ['tasks'],
  summary: 'List built-in tasks',
  security: [{ bearer: [] }],
  responses: { 200: { description: 'Tasks', content: { 'application/json': { schema: z.object({ data: z.array(TaskSchema) }) } } }, ...problemResponses(401) },
});

export function registerTasksList(app: OpenAPIHono): void {
  const data = builtinTasks().map((t) => ({ name: t.name, description: t.description, model: t.model, max_tokens: t.max_tokens, output_schema: toJsonSchema(t.output) }));
  app.openapi(route, (c) => c.json({ data }, 200));
}
