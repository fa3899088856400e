// The simulator's answers for the built-in tasks: a function of the document (through the real SDK and
// the batch wire format), and a settable per-model error rate that makes a known share of fields wrong.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { labeledReviews } from '../../../test/fixtures/labeled-reviews.ts';
import { buildParams } from '../../engine/documents/request.ts';
import { outputValidator, resolveTask } from '../../tasks/registry.ts';
import { loadConfig } from '../../config.ts';
import { silentLogger } from '../../logger.ts';
import { openProvider } from '../local.ts';
import { builtinAnswer, builtinTaskOf, startSimulator } from './index.ts';

const reviewTask = resolveTask('review-insights');
const review = (text: string, rating?: number, model?: string, id = 'r') => {
  const task = model ? resolveTask('review-insights', { model }) : reviewTask;
  return buildParams(task, { id, text, ...(rating !== undefined ? { metadata: { rating } } : {}) }) as unknown as Record<string, unknown>;
};
const schemaOf = (params: Record<string, unknown>) => (params.tools as Array<{ input_schema: unknown }>)[0]?.input_schema;
const answer = (params: Record<string, unknown>, rates: Record<string, number> = {}) => builtinAnswer(schemaOf(params), params, rates) as Record<string, unknown>;

test('review answers follow the text: "broke after a week" is negative, praise positive, both mixed; the rating decides only without cues', () => {
  assert.equal(answer(review('Strap broke after a week.', 5)).sentiment, 'negative');
  assert.equal(answer(review('Love it, works great.', 1)).sentiment, 'positive');
  const mixed = answer(review('Battery lasts two days, but the strap broke in a week.', 3));
  assert.equal(mixed.sentiment, 'mixed');
  assert.deepEqual(mixed.key_points, ['Battery lasts two days', 'the strap broke in a week']);
  assert.deepEqual(mixed.issues, ['the strap broke in a week']);
  assert.equal(answer(review('Never had a problem with it.')).sentiment, 'positive', 'a negated complaint is praise');
  assert.equal(answer(review('Arrived on a Tuesday.', 2)).sentiment, 'negative', 'no cue: the star rating decides');
  assert.equal(answer(review('Arrived on a Tuesday.')).sentiment, 'neutral');
  assert.ok(outputValidator(reviewTask).safeParse(mixed).success);
});

test('ticket and invoice answers follow their documents and pass the task schemas', () => {
  const triage = resolveTask('ticket-triage');
  const ticket = buildParams(triage, { id: 't', title: 'Double charge', text: 'I was charged twice for my subscription, please refund ASAP.' }) as unknown as Record<string, unknown>;
  const t = answer(ticket);
  assert.deepEqual([t.category, t.priority, t.needs_human], ['billing', 'urgent', true]);
  assert.ok(outputValidator(triage).safeParse(t).success, JSON.stringify(t));
  const feature = answer(buildParams(triage, { id: 'f', text: 'Please add dark mode, it would be nice.' }) as unknown as Record<string, unknown>);
  assert.deepEqual([feature.category, feature.priority, feature.needs_human], ['feature_request', 'low', false]);

  const extraction = resolveTask('invoice-extraction');
  const invoice = answer(buildParams(extraction, { id: 'i', text: 'ACME GmbH\nInvoice No: INV-2026-0042\nDate: 2026-11-02\nDue: 2026-12-02\nSubtotal 100,00 EUR\nVAT 19,00\nTotal 119,00 EUR' }) as unknown as Record<string, unknown>);
  assert.deepEqual([invoice.invoice_number, invoice.issue_date, invoice.due_date, invoice.currency, invoice.subtotal, invoice.tax, invoice.total], ['INV-2026-0042', '2026-11-02', '2026-12-02', 'EUR', 100, 19, 119]);
  assert.ok(outputValidator(extraction).safeParse(invoice).success);
  // A PDF the simulator cannot read still gets the same schema-valid answer every time.
  const pdf = buildParams(extraction, { id: 'p', attachments: [{ media_type: 'application/pdf', data: 'JVBERi0xLjQK' }] }) as unknown as Record<string, unknown>;
  assert.deepEqual(answer(pdf), answer(pdf));
  assert.ok(outputValidator(extraction).safeParse(answer(pdf)).success);
  assert.equal(builtinTaskOf({ type: 'object', properties: { lang: { type: 'string' } } }), undefined, 'a custom schema is not a built-in task');
});

test('error-free answers agree with the gold labels of written-to-order reviews', () => {
  const reviews = labeledReviews(1000);
  const wrong = reviews.filter((r) => answer(review(r.text, r.rating)).sentiment !== r.sentiment);
  assert.deepEqual(wrong.slice(0, 5), [], `${wrong.length} of 1000 reviews read against their label`);
});

test('a model error rate makes that share of each field wrong, independently per field; other models and the schema are unaffected', () => {
  const reviews = labeledReviews(2000, 3);
  const rates = { 'claude-haiku-5-5': 0.2, 'claude-sonnet-5-5': 0.05 };
  const share = (model: string, field: string) => {
    let wrong = 0;
    for (const r of reviews) {
      const params = review(r.text, r.rating, model, r.id);
      const truth = answer(params);
      const given = answer(params, rates);
      assert.ok(outputValidator(reviewTask).safeParse(given).success, JSON.stringify(given));
      if (JSON.stringify(given[field]) !== JSON.stringify(truth[field])) wrong += 1;
    }
    return wrong / reviews.length;
  };
  const haiku = share('claude-haiku-5-5', 'sentiment');
  const sonnet = share('claude-sonnet-5-5', 'sentiment');
  assert.ok(Math.abs(haiku - 0.2) < 0.03, `haiku sentiment wrong in ${haiku}`);
  assert.ok(Math.abs(sonnet - 0.05) < 0.016, `sonnet sentiment wrong in ${sonnet}`);
  assert.ok(Math.abs(share('claude-haiku-5-5', 'score') - 0.2) < 0.03);
  assert.equal(share('claude-opus-5-5', 'sentiment'), 0, 'a model without a rate is always right');
  // Fields err on their own draws, not all together.
  let both = 0;
  for (const r of reviews) {
    const params = review(r.text, r.rating, 'claude-haiku-5-5', r.id);
    const truth = answer(params);
    const given = answer(params, rates);
    if (given.sentiment !== truth.sentiment && given.score !== truth.score) both += 1;
  }
  assert.ok(both / reviews.length < 0.075, `sentiment and score wrong together in ${both / reviews.length} (independent: 0.04)`);
});

test('through the SDK: the same document gets the same answer under any custom_id; rates are set by option and by the control endpoint', async () => {
  const sim = await startSimulator({ processingMs: 0, modelErrorRates: { 'claude-haiku-5-5': 1 } });
  try {
    const client = new Anthropic({ apiKey: 'test', baseURL: sim.url, maxRetries: 0 });
    const params = review('Strap broke after a week.', 2) as unknown as Anthropic.Messages.MessageCreateParamsNonStreaming;
    const run = async (ids: string[]) => {
      const created = await client.messages.batches.create({ requests: ids.map((custom_id) => ({ custom_id, params })) });
      for (let i = 0; i < 100 && (await client.messages.batches.retrieve(created.id)).processing_status !== 'ended'; i++) await new Promise((r) => setTimeout(r, 10));
      const inputs: Record<string, unknown>[] = [];
      for await (const line of await client.messages.batches.results(created.id)) {
        assert.equal(line.result.type, 'succeeded');
        const block = line.result.type === 'succeeded' ? line.result.message.content[0] : undefined;
        assert.ok(block?.type === 'tool_use');
        inputs.push(block.input as Record<string, unknown>);
      }
      return inputs;
    };
    const wrong = await run(['a', 'b', 'c']);
    assert.equal(new Set(wrong.map((i) => JSON.stringify(i))).size, 1, 'one answer for one document');
    assert.notEqual(wrong[0]?.sentiment, 'negative', 'an error rate of 1 gets every field it can wrong');

    const bad = await fetch(`${sim.url}/_simulator/error-rates`, { method: 'POST', body: JSON.stringify({ 'claude-haiku-5-5': 2 }) });
    assert.equal(bad.status, 400);
    const set = await fetch(`${sim.url}/_simulator/error-rates`, { method: 'POST', body: JSON.stringify({}) });
    assert.deepEqual(await set.json(), {});
    const right = await run(['d']);
    assert.equal(right[0]?.sentiment, 'negative');
  } finally {
    await sim.close();
  }
});

test('the standalone simulator takes its error rates from SIMULATOR_MODEL_ERROR_RATES and refuses a bad value', async () => {
  const entry = fileURLToPath(new URL('./standalone.ts', import.meta.url));
  const start = (rates: string) =>
    spawn(process.execPath, ['--import', 'tsx', entry], { env: { ...process.env, SIMULATOR_PORT: '0', SIMULATOR_MODEL_ERROR_RATES: rates }, stdio: ['ignore', 'pipe', 'pipe'] });
  const refused = start('{"claude-haiku-5-5": -1}');
  let stderr = '';
  refused.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  assert.equal(await new Promise((resolve) => refused.on('exit', resolve)), 1);
  assert.match(stderr, /SIMULATOR_MODEL_ERROR_RATES: claude-haiku-5-5: /);

  const child = start('{"claude-haiku-5-5": 0.2, "*": 0.05}');
  const exited = new Promise((resolve) => child.on('exit', resolve));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /simulator listening on (http:\/\/[\d.:]+)/.exec(out);
        if (match?.[1]) resolve(match[1]);
      });
      child.on('exit', () => reject(new Error(`exited early: ${out}`)));
    });
    assert.deepEqual(await (await fetch(`${url}/_simulator/error-rates`)).json(), { 'claude-haiku-5-5': 0.2, '*': 0.05 });
  } finally {
    child.kill('SIGTERM');
  }
  assert.equal(await exited, 0);
});

test('the built-in simulator of the service takes BATCHLINE_SIMULATOR_ERROR_RATES, and a bad value stops the start with one line', async () => {
  assert.throws(() => loadConfig({ BATCHLINE_SIMULATOR_ERROR_RATES: '{"claude-haiku-5-5": 3}' }), /^ConfigError: invalid environment variable BATCHLINE_SIMULATOR_ERROR_RATES: rates are 0\.\.1$/);
  assert.throws(() => loadConfig({ BATCHLINE_SIMULATOR_ERROR_RATES: 'haiku=0.2' }), /BATCHLINE_SIMULATOR_ERROR_RATES: must be JSON/);
  const provider = await openProvider(loadConfig({ BATCHLINE_SIMULATOR_ERROR_RATES: '{"claude-haiku-5-5": 0.2}', BATCHLINE_SIMULATOR_PROCESSING_MS: '0' }), silentLogger());
  try {
    assert.equal(provider.simulated, true);
    assert.deepEqual(await (await fetch(`${provider.client.baseURL}/_simulator/error-rates`)).json(), { 'claude-haiku-5-5': 0.2 });
  } finally {
    await provider.close();
  }
});
