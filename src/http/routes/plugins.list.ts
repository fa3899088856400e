// GET /v1/plugins: every registered source and sink plugin with its config JSON Schema.
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { describePlugin } from '../../plugins/describe.ts';
import type { AppDeps } from '../deps.ts';
import { apiProblems } from './shared.schemas.ts';

const EXAMPLE_PLUGIN = {
  name: 'http',
  kind: 'sink',
  description: 'POSTs results in batches to a webhook URL, signed with Standard Webhooks headers when a secret is set',
  origin: 'first-party',
  config_schema: {
    type: 'object',
    properties: {
      url: { type: 'string', format: 'uri' },
      secret: { type: 'string', writeOnly: true, 'x-secret': true },
      batch_size: { type: 'integer', minimum: 1, maximum: 10000, default: 100 },
    },
    required: ['url'],
  },
  secret_fields: ['secret'],
  follows: false,
  inbound: false,
};

const PluginSchema = z
  .object({
    name: z.string().openapi({ description: 'Use it as `plugin` in a job source, a sink or a connection' }),
    kind: z.enum(['source', 'sink']),
    description: z.string(),
    origin: z.string().openapi({ description: '`first-party`, or the npm package (BATCHLINE_PLUGINS) it came from' }),
    config_schema: z.record(z.string(), z.unknown()).openapi({ description: 'JSON Schema of the config; secret fields carry writeOnly and x-secret' }),
    secret_fields: z.array(z.string()).openapi({ description: 'Config fields that are encrypted at rest and never returned' }),
    follows: z.boolean().openapi({ description: 'A job on this source can stay open for documents that arrive later' }),
    inbound: z.boolean().openapi({ description: 'The source takes signed webhooks at POST /v1/connections/{name}/webhook' }),
  })
  .openapi('Plugin', { description: 'A source or sink plugin and the JSON Schema of its config', example: EXAMPLE_PLUGIN });

const route = createRoute({
  method: 'get',
  path: '/v1/plugins',
  operationId: 'listPlugins',
  tags: ['plugins'],
  summary: 'List source and sink plugins with their config JSON Schemas',
  description: 'First-party plugins and those loaded from BATCHLINE_PLUGINS. A UI can render a config form from `config_schema`.',
  security: [{ bearer: [] }],
  responses: {
    200: {
      description: 'Every registered plugin, sources first',
      content: { 'application/json': { schema: z.object({ data: z.array(PluginSchema) }), example: { data: [EXAMPLE_PLUGIN] } } },
    },
    ...apiProblems(401),
  },
});

export function registerPluginsList(app: OpenAPIHono, deps: AppDeps): void {
  const data = [
    ...deps.sources.list().map((p) => describePlugin(p, 'source', deps.sources.originOf(p.name) ?? 'first-party')),
    ...deps.sinks.list().map((p) => describePlugin(p, 'sink', deps.sinks.originOf(p.name) ?? 'first-party')),
  ];
  app.openapi(route, (c) => c.json({ data }, 200));
}
