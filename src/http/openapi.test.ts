// The OpenAPI document: in sync with the committed openapi.yaml and client types, valid OpenAPI 3.1, and complete.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Validator } from '@seriousme/openapi-schema-validator';
import { auditDocument, openApiDocument, openApiTypes, openApiYaml, operationsOf, type OpenApiDocument } from './openapi-document.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const doc = openApiDocument();

test('the committed openapi.yaml matches the routes (run `npm run openapi` after changing a route)', () => {
  assert.equal(fs.readFileSync(path.join(root, 'openapi.yaml'), 'utf8'), openApiYaml(doc));
});

test("the typed client's src/client/api-types.ts matches the routes (run `npm run openapi` after changing a route)", async () => {
  assert.equal(fs.readFileSync(path.join(root, 'src/client/api-types.ts'), 'utf8'), await openApiTypes(doc));
});

test('the document is valid OpenAPI 3.1 (@seriousme/openapi-schema-validator)', async () => {
  const validator = new Validator();
  const result = await validator.validate(structuredClone(doc) as unknown as Parameters<Validator['validate']>[0]);
  assert.equal(validator.version, '3.1');
  assert.equal(result.valid, true, JSON.stringify(result.errors, null, 2));
});

test('every operation, parameter, body, answer and problem is described, with examples valid against their schemas', () => {
  assert.deepEqual(auditDocument(doc), []);
});

test('the audit catches a missing example, a missing description, a wrong example and a non-problem error', () => {
  const broken = structuredClone(doc) as OpenApiDocument;
  const getJob = broken.paths['/v1/jobs/{id}']?.get;
  const createJob = broken.paths['/v1/jobs']?.post;
  const listJobs = broken.paths['/v1/jobs']?.get;
  assert.ok(getJob?.parameters?.[0] && createJob?.requestBody && listJobs);
  delete getJob.parameters[0].example;
  delete getJob.parameters[0].description;
  const inline = createJob.requestBody.content['application/json']?.examples?.inline;
  assert.ok(inline);
  inline.value = { task: 42 };
  listJobs.responses['401'] = { description: 'Unauthorized', content: { 'text/plain': { example: 'no' } } };
  const healthAnswer = broken.paths['/healthz']?.get?.responses['200']?.content?.['application/json'];
  assert.ok(healthAnswer);
  delete healthAnswer.example;
  const gaps = auditDocument(broken).join('\n');
  assert.match(gaps, /GET \/v1\/jobs\/\{id\}: path parameter id has no description/);
  assert.match(gaps, /GET \/v1\/jobs\/\{id\}: path parameter id has no example/);
  assert.match(gaps, /POST \/v1\/jobs: request body application\/json: example "inline" does not match its schema: task/);
  assert.match(gaps, /GET \/v1\/jobs: answer 401 is not application\/problem\+json/);
  assert.match(gaps, /GET \/healthz: answer 200 application\/json has no example/);
});

test('every route of CONTRACT.md is in the document, errors as problem+json', () => {
  const expected: Array<[string, string]> = [
    ['/healthz', 'get'],
    ['/readyz', 'get'],
    ['/v1/plugins', 'get'],
    ['/v1/tasks', 'get'],
    ['/v1/connections', 'post'],
    ['/v1/connections', 'get'],
    ['/v1/connections/{name}', 'get'],
    ['/v1/connections/{name}', 'delete'],
    ['/v1/jobs', 'post'],
    ['/v1/jobs', 'get'],
    ['/v1/jobs/{id}', 'get'],
    ['/v1/jobs/{id}', 'delete'],
    ['/v1/jobs/{id}/results', 'get'],
    ['/v1/jobs/{id}/cancel', 'post'],
    ['/v1/jobs/{id}/retry', 'post'],
    ['/v1/callbacks/batches', 'post'],
  ];
  const documented = new Set(operationsOf(doc).map((o) => `${o.method} ${o.path}`));
  for (const [p, method] of expected) assert.ok(documented.has(`${method} ${p}`), `${method.toUpperCase()} ${p} is documented`);
  for (const { method, path: p, operation } of operationsOf(doc)) {
    for (const [status, response] of Object.entries(operation.responses)) {
      if (Number(status) >= 400) assert.ok(response.content?.['application/problem+json'], `${method} ${p} ${status} is problem+json`);
    }
  }
});

test('/v1 routes say whether they need the bearer token; the signed ones and the probes do not', () => {
  const open = new Set(['get /healthz', 'get /readyz', 'post /v1/callbacks/batches', 'post /v1/connections/{name}/webhook']);
  for (const { method, path: p, operation } of operationsOf(doc)) {
    const key = `${method} ${p}`;
    assert.equal(operation.security?.some((s) => 'bearer' in s) ?? false, !open.has(key), key);
  }
  assert.ok(!('/docs' in doc.paths) && !('/openapi.json' in doc.paths), 'the reference page and the document itself are not operations');
});
