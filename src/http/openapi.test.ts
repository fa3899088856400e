import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openApiDocument, openApiYaml } from './openapi-document.ts';

const committed = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../openapi.yaml');

test('the committed openapi.yaml matches the routes (run `npm run openapi` after changing a route)', () => {
  assert.equal(fs.readFileSync(committed, 'utf8'), openApiYaml());
});

test('every route of CONTRACT.md built so far is in the document, errors as problem+json', () => {
  const doc = openApiDocument() as { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, unknown> }> }>> };
  const expected: Array<[string, string]> = [
    ['/healthz', 'get'],
    ['/readyz', 'get'],
    ['/v1/tasks', 'get'],
    ['/v1/jobs', 'post'],
    ['/v1/jobs', 'get'],
    ['/v1/jobs/{id}', 'get'],
    ['/v1/jobs/{id}/results', 'get'],
    ['/v1/jobs/{id}/cancel', 'post'],
    ['/v1/jobs/{id}/retry', 'post'],
  ];
  for (const [p, method] of expected) {
    const op = doc.paths[p]?.[method];
    assert.ok(op, `${method.toUpperCase()} ${p} is documented`);
    for (const [status, response] of Object.entries(op.responses)) {
      if (Number(status) >= 400) assert.ok(response.content?.['application/problem+json'], `${method} ${p} ${status} is problem+json`);
    }
  }
});
