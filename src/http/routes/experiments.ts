// The experiments routes, in the order the OpenAPI document lists them: create before list, then one, its documents, promote.
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppDeps } from '../deps.ts';
import { registerExperimentsCreate } from './experiments.create.ts';
import { registerExperimentsDocuments } from './experiments.documents.ts';
import { registerExperimentsGet } from './experiments.get.ts';
import { registerExperimentsPromote } from './experiments.promote.ts';

export function registerExperiments(app: OpenAPIHono, deps: AppDeps): void {
  registerExperimentsCreate(app, deps);
  registerExperimentsGet(app, deps);
  registerExperimentsDocuments(app, deps);
  registerExperimentsPromote(app, deps);
}
