import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveTask } from '../../tasks/registry.ts';
import { buildParams, requestBytes, requestSerializer, requestSizer } from './request.ts';

test('requestSizer measures exactly what buildParams serializes', () => {
  const tasks = [
    resolveTask('review-insights', {}),
    resolveTask({ name: 'lang', prompt: 'Language of this: {{metadata.kind}}', output_schema: { type: 'object', properties: { lang: { type: 'string' } }, required: ['lang'] } }, {}),
  ];
  const docs = [
    { id: 'a', text: 'plain' },
    { id: 'b', text: 'ünïcödé "quotes" \\ backslash\nnew line\t😀', title: 'T', metadata: { rating: 5, kind: 'x' } },
    { id: 'c', text: 'with pdf', attachments: [{ media_type: 'application/pdf' as const, data: 'JVBERi0xLjQ=', name: 'a.pdf' }, { media_type: 'text/plain' as const, data: Buffer.from('hi "there"').toString('base64') }] },
  ];
  for (const task of tasks) {
    const size = requestSizer(task);
    for (const doc of docs) assert.equal(size(doc), requestBytes(buildParams(task, doc)), `${task.name} / ${doc.id}`);
  }
});

test('requestSerializer writes exactly what JSON.stringify writes of {custom_id, params}', () => {
  const task = resolveTask('review-insights', {});
  const docs = [
    { id: 'a', text: 'plain' },
    { id: 'b', text: 'ünïcödé "quotes" \\ backslash\nnew line\t😀 \u0000', title: 'T', metadata: { rating: 5 } },
    { id: 'c', text: 'with pdf', attachments: [{ media_type: 'application/pdf' as const, data: 'JVBERi0xLjQ=', name: 'a.pdf' }] },
  ];
  for (const cachePrefix of [false, true]) {
    const serialize = requestSerializer(task, { cachePrefix });
    for (const doc of docs) assert.equal(serialize(`bl_x_${doc.id}`, doc), JSON.stringify({ custom_id: `bl_x_${doc.id}`, params: buildParams(task, doc, { cachePrefix }) }));
  }
});
