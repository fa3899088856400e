// GET /v1/plugins: every registered source and sink plugin with its config JSON Schema.
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { describePlugin } from '../../plugins/describe.ts';
import type { AppDeps } from '../deps.ts';
import { problemResponses } from '../schemas.ts';

const PluginSchema = z
  .object({
    name: z.string(),
    kind: z.enum(['source', 'sink']),
    description: z.string(),
    origin: z.string().openapi({ description: '`first-party`, or the npm package (BATCHLINE_PLUGINS) it came from' }),
    config_schema: z.record(z.string(), z.unknown()).openapi({ description: 'JSON Schema of the config; secret fields carry writeOnly and x-secret' }),
    secret_fields: z.array(z.string()),
    follows: z.boolean().openapi({ description: 'A job on this source can stay open for documents that arrive later' }),
    inbound: z.boolean().openapi({ description: 'The source takes signed webhooks at POST /v1/connections/{name}/webhook' }),
  })
  .openapi('Plugin');

const route = createRoute({
  method: 'get',
  path: '/v1/plugins',
  tags: ['plugins'],
  summary: 'List source and sink plugins with their config JSON Schemas',
  security: [{ bearer: [] }],
  responses: { 200: { description: 'Plugins', content: { 'application/json': { schema: z.object({ data: z.array(PluginSchema) }) } } }, ...problemResponses(401) },
});

export function registerPluginsList(app: OpenAPIHono, deps: AppDeps): void {
  const data = [
    ...deps.sources.list().map((p) => describePlugin(p, 'source', deps.sources.originOf(p.name) ?? 'first-party')),
    ...deps.sinks.list().map((p) => describePlugin(p, 'sink', deps.sinks.originOf(p.name) ?? 'first-party')),
  ];
  app.openapi(route, (c) => c.json({ data }, 200));
}
