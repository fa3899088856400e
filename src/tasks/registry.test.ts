import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AppError } from '../errors.ts';
import { buildParams } from '../engine/documents/request.ts';
import { outputValidator, resolveTask } from './registry.ts';
import { renderTemplate } from './template.ts';

test('built-in tasks resolve with their schema as a forced tool', () => {
  const task = resolveTask('review-insights');
  const params = buildParams(task, { id: 'r1', text: 'Great phone', metadata: { rating: 5 } });
  assert.deepEqual(params.tool_choice, { type: 'tool', name: 'record_output' });
  assert.equal(params.tools[0]?.input_schema.type, 'object');
  const text = params.messages[0]?.content.at(-1);
  assert.ok(text?.type === 'text' && text.text.includes('Great phone') && text.text.includes('"rating":5'));
});

test('model and max_tokens overrides apply', () => {
  const task = resolveTask('ticket-triage', { model: 'claude-opus-5-5', max_tokens: 99 });
  assert.equal(task.model, 'claude-opus-5-5');
  assert.equal(task.max_tokens, 99);
});

test('an unknown task is a 422 naming the field', () => {
  assert.throws(() => resolveTask('nope'), (e: unknown) => e instanceof AppError && e.status === 422 && e.problems[0]?.field === 'task');
});

test('a custom task validates answers against its JSON Schema with zod', () => {
  const task = resolveTask({ name: 'lang', prompt: 'Language of: {{text}}', output_schema: { type: 'object', properties: { lang: { type: 'string', enum: ['en', 'de'] } }, required: ['lang'] } });
  const v = outputValidator(task);
  assert.equal(v.safeParse({ lang: 'en' }).success, true);
  assert.equal(v.safeParse({ lang: 'fr' }).success, false);
  assert.equal(v.safeParse({}).success, false);
});

test('invalid custom output schemas are 422s naming the field', () => {
  const bad: Array<[unknown, string]> = [
    [{ type: 'array' }, 'task.output_schema.type'],
    [{ type: 'object', properties: { a: { type: 'strin' } } }, 'task.output_schema.properties.a.type'],
    [{ type: 'object', properties: [] }, 'task.output_schema.properties'],
    [{ type: 'object', required: 'a' }, 'task.output_schema.required'],
  ];
  for (const [schema, field] of bad) {
    assert.throws(
      () => resolveTask({ name: 'x', prompt: '{{text}}', output_schema: schema as Record<string, unknown> }),
      (e: unknown) => e instanceof AppError && e.problems[0]?.field === field,
      field,
    );
  }
});

test('unknown placeholders are rejected; known ones render', () => {
  assert.throws(() => resolveTask({ name: 'x', prompt: '{{body}}', output_schema: { type: 'object' } }), (e: unknown) => e instanceof AppError && e.problems[0]?.field === 'task.prompt');
  const out = renderTemplate('{{id}}|{{title}}|{{metadata.stars}}|{{text}}', { id: 'a', title: 'T', text: 'body', metadata: { stars: 4 } });
  assert.equal(out, 'a|T|4|body');
});

test('a prompt without {{text}} still carries the document', () => {
  assert.match(renderTemplate('Classify it.', { id: 'a', text: 'the doc' }), /the doc/);
});

test('attachments become document and image blocks before the prompt', () => {
  const task = resolveTask('invoice-extraction');
  const params = buildParams(task, { id: 'inv', attachments: [{ media_type: 'application/pdf', data: 'JVBERi0=' }, { media_type: 'image/png', data: 'iVBORw0=' }] });
  const blocks = params.messages[0]?.content ?? [];
  assert.deepEqual(blocks.map((b) => b.type), ['document', 'image', 'text']);
});
