// What the zendesk sink writes when a job is made: the triage write-back by default, a mapping checked
// against the task's output, and how tags, ticket fields and the note come out of a result.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DeliveredResult } from '../../src/plugins/contract.ts';
import { SinkConfigError } from '../../src/plugins/contract.ts';
import { resolveTask } from '../../src/tasks/registry.ts';
import { configSchema } from './config.ts';
import { prepareZendeskSink } from './prepare.ts';
import { ticketUpdateOf, zendeskTag } from './render.ts';

const account = { subdomain: 'acme', email: 'ops@acme.example', api_token: 't' };
const triage = resolveTask('ticket-triage', {});
const taskCtx = (task = triage) => ({ task: { name: task.name, builtin: task.builtin, output_schema: task.output_schema } });
const result = (output: unknown): DeliveredResult => ({
  idempotency_key: 'k',
  job_id: 'job_1',
  item_id: '1',
  external_id: '42',
  status: 'succeeded',
  output,
  error: null,
  attempts: 1,
  usage: null,
  metadata: null,
});
const refused = (config: Record<string, unknown>, task = triage): SinkConfigError => {
  try {
    prepareZendeskSink(configSchema.parse({ ...account, ...config }), taskCtx(task));
  } catch (error) {
    assert.ok(error instanceof SinkConfigError);
    return error;
  }
  assert.fail('expected a SinkConfigError');
};

test('a ticket-triage job with no write options gets prefixed tags and a private note, nothing that routes', () => {
  const prepared = prepareZendeskSink(configSchema.parse(account), taskCtx());
  const update = ticketUpdateOf(prepared, result({ category: 'billing', priority: 'high', sentiment: 'negative', summary: 'Charged twice; wants a refund.', suggested_tags: ['refund', 'Double Charge'], needs_human: true }), 42);
  assert.deepEqual(update, {
    id: 42,
    additional_tags: ['batchline_triaged', 'batchline_category_billing', 'batchline_priority_high', 'batchline_refund', 'batchline_double_charge'],
    comment: { body: 'Batchline triage: billing, priority high, sentiment negative.\nCharged twice; wants a refund.\nNeeds a human: yes', public: false },
  });
  assert.match(ticketUpdateOf(prepared, result({ category: 'other', priority: 'low', sentiment: 'neutral', summary: 's', suggested_tags: [], needs_human: false }), 1)?.comment?.body ?? '', /Needs a human: no$/);
});

test('a mapping that names a field the output lacks is refused, naming the config field', () => {
  assert.equal(refused({ custom_fields: { '360001': 'categroy' } }).field, 'custom_fields.360001');
  assert.match(refused({ custom_fields: { '360001': 'categroy' } }).message, /"categroy" is not in the output of task "ticket-triage"; its fields: category, priority, sentiment, summary, suggested_tags, needs_human/);
  assert.equal(refused({ tags: { from: 'summary.text' } }).field, 'tags.from', 'a string has no fields');
  assert.equal(refused({ tags: ['x', { from: 'nope' }] }).field, 'tags.1.from');
  assert.equal(refused({ ticket_fields: { priority: 'urgency' } }).field, 'ticket_fields.priority');
  assert.equal(refused({ internal_note: '{{output.sumary}}' }).field, 'internal_note');
  assert.match(refused({ internal_note: '{{outptu.summary}}' }).message, /names nothing a result has/);
  assert.match(refused({ internal_note: '{{output.needs_human|upper}}' }).message, /unknown filter "upper"/);
  assert.match(refused({ internal_note: 'Triage {{output.summary' }).message, /without its \}\}/);
  // Right names pass, array indexes and result fields included.
  const ok = prepareZendeskSink(configSchema.parse({ ...account, tags: [{ from: 'suggested_tags.0' }], internal_note: '{{status}} {{error.message}} {{metadata.x}} {{output.summary}}' }), taskCtx());
  assert.ok(ok.internal_note);
});

test('a custom task with nothing to write is asked for a mapping, with an example made of its own fields', () => {
  const custom = resolveTask({ name: 'lang', prompt: 'Language of {{text}}', output_schema: { type: 'object', properties: { language: { type: 'string' }, confidence: { type: 'number' } } } }, {});
  const error = refused({}, custom);
  assert.equal(error.field, 'tags');
  assert.match(error.message, /^nothing to write for task "lang": .* e\.g\. \{"tags":\[\{"from":"language","prefix":"batchline_language_"\}\],"internal_note":"Batchline: \{\{output\.confidence\}\}"\}$/);
  const open = resolveTask({ name: 'open', prompt: '{{text}}', output_schema: { type: 'object' } }, {});
  assert.doesNotThrow(() => prepareZendeskSink(configSchema.parse({ ...account, tags: [{ from: 'anything.at.all' }] }), taskCtx(open)), 'an output schema without properties takes any path');
});

test('ticket_fields set standard fields only from usable values; tags come out valid', () => {
  const config = configSchema.parse({ ...account, ticket_fields: { priority: 'priority', group_id: 'team' }, tags: ['Fixed Tag'] });
  assert.deepEqual(ticketUpdateOf(config, result({ priority: 'Urgent', team: '360000123' }), 7), { id: 7, additional_tags: ['fixed_tag'], priority: 'urgent', group_id: 360000123 });
  assert.deepEqual(ticketUpdateOf(config, result({ priority: 3, team: 'ops' }), 7), { id: 7, additional_tags: ['fixed_tag'] });
  assert.equal(zendeskTag('  Café #1, übel '), 'café__1__übel');
});
