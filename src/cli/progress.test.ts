// The CLI's rendering as specifications: the summary line users and scripts read, a progress line that
// always fits the terminal, plain lines that change only when the job does, money fields shown generically.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  costFields,
  exitCodeFor,
  formatDuration,
  formatUsd,
  jobDurationMs,
  plainLine,
  plainState,
  progressBar,
  progressOf,
  statusReport,
  summaryLine,
  ttyLine,
  visibleWidth,
} from './progress.ts';
import type { JobSnapshot } from './types.ts';

function job(overrides: Partial<JobSnapshot> = {}): JobSnapshot {
  return {
    id: 'job_0123456789abcdefghij',
    name: 'q3-reviews',
    status: 'running',
    task: { name: 'review-insights', model: 'claude-haiku-4-5', max_tokens: 1024 },
    cancel_requested: false,
    counts: { total: 2000, queued: 500, submitted: 460, succeeded: 1038, failed: 2, canceled: 0, retry_wait: 0 },
    batches: [
      { provider_id: 'msgbatch_a', status: 'collected', request_count: 1000, request_counts: { succeeded: 998, errored: 2 }, is_retry: false },
      { provider_id: 'msgbatch_b', status: 'in_progress', request_count: 500, request_counts: null, is_retry: false },
    ],
    usage: { input_tokens: 120000, output_tokens: 40000, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    cost: { usd: 0.21, standard_usd: 0.42, saved_usd: 0.21 },
    deliveries: { pending: 0, delivered: 1040, dead: 0 },
    source: { plugin: 'reviews', connection: null, open: false, read: 2000, rejected: 0, last_error: null },
    error: null,
    created_at: '2026-11-24T10:00:00.000Z',
    updated_at: '2026-11-24T10:00:10.000Z',
    finished_at: null,
    ...overrides,
  };
}

test('durations read as seconds, then minutes, hours and days', () => {
  assert.equal(formatDuration(0), '0.0s');
  assert.equal(formatDuration(12_345), '12.3s');
  assert.equal(formatDuration(65_000), '1m05s');
  assert.equal(formatDuration(3_725_000), '1h02m');
  assert.equal(formatDuration(90_000_000), '1d01h');
  assert.equal(formatDuration(-5), '0.0s');
});

test('money shows cents, and the digits that matter for tiny amounts', () => {
  assert.equal(formatUsd(0.41), '$0.41');
  assert.equal(formatUsd(12.5), '$12.50');
  assert.equal(formatUsd(0), '$0.00');
  assert.equal(formatUsd(0.0012), '$0.0012');
  assert.equal(formatUsd(0.000001), '$0.000001');
  assert.equal(formatUsd(0.0000001), '<$0.000001');
});

test('the summary line names items, outcomes, cost, savings and time', () => {
  const done = job({ status: 'completed_with_errors', counts: { total: 2000, queued: 0, submitted: 0, succeeded: 1998, failed: 2, canceled: 0, retry_wait: 0 }, cost: { usd: 0.41, standard_usd: 0.82, saved_usd: 0.41 } });
  assert.equal(summaryLine(done, 12_300), 'job job_0123456789abcdefghij completed_with_errors: 2000 items, 1998 succeeded, 2 failed, $0.41 (saved $0.41 vs standard) in 12.3s');
  const canceled = job({ status: 'canceled', counts: { total: 10, queued: 0, submitted: 0, succeeded: 4, failed: 0, canceled: 6 } });
  assert.match(summaryLine(canceled, 1000), /: 10 items, 4 succeeded, 0 failed, 6 canceled, \$0\.21/);
  const failed = job({ status: 'failed', error: { type: 'source_failed', message: 'reviews.csv: no such file' }, cost: undefined });
  assert.match(summaryLine(failed, 1000), /failed: 2000 items, 1038 succeeded, 2 failed in 1\.0s — reviews\.csv: no such file$/);
});

test('only a completed job exits 0', () => {
  assert.equal(exitCodeFor('completed'), 0);
  for (const status of ['completed_with_errors', 'failed', 'canceled']) assert.equal(exitCodeFor(status), 1);
});

test('progress counts finished items of every outcome; an empty finished job is whole', () => {
  assert.deepEqual(progressOf(job()), { done: 1040, total: 2000, fraction: 0.52 });
  assert.equal(progressOf(job({ status: 'completed', counts: { total: 0, queued: 0, submitted: 0, succeeded: 0, failed: 0, canceled: 0 } })).fraction, 1);
  assert.equal(progressBar(0.5, 10), '█████░░░░░');
  assert.equal(progressBar(2, 4), '████');
});

test('the TTY line fits every terminal width and keeps status, counts and elapsed time', () => {
  const states = [job(), job({ status: 'ingesting', counts: { total: 0, queued: 0, submitted: 0, succeeded: 0, failed: 0, canceled: 0 }, source: { plugin: 'reviews', connection: null, open: true, read: 1500, rejected: 0, last_error: null } }), job({ status: 'completed', cancel_requested: false })];
  for (const s of states) {
    for (let columns = 20; columns <= 200; columns += 7) {
      for (const color of [false, true]) {
        const line = ttyLine(s, { elapsedMs: 12_300, columns, color, frame: 3 });
        assert.ok(visibleWidth(line) <= Math.max(20, columns - 1), `${columns} columns: ${JSON.stringify(line)} is ${visibleWidth(line)} wide`);
        assert.ok(!line.includes('\n'));
        if (!color) assert.ok(!line.includes('\x1b'), 'no ANSI without color');
        if (columns >= 50) {
          assert.ok(line.includes(s.status), line);
          assert.ok(line.includes('12.3s'), line);
        }
      }
    }
  }
  const wide = ttyLine(job(), { elapsedMs: 12_300, columns: 160, color: false, frame: 0 });
  assert.match(wide, /^⠋ running █+░+ 52% 1040\/2000 · ✓ 1038 ✗ 2 · 500 queued, 460 submitted · batches 1\/2 · \$0\.21 · 12\.3s$/);
  const small = job({ counts: { total: 40, queued: 0, submitted: 40, succeeded: 0, failed: 0, canceled: 0 } });
  assert.match(ttyLine(small, { elapsedMs: 12_300, columns: 80, color: false, frame: 0 }), /^⠋ running ░{6} 0% 0\/40 · ✓ 0 ✗ 0 · 40 submitted · batches 1\/2 · \$0\.21 · 12\.3s$/, 'an 80-column terminal gets the bar, items by state and batches');
  const crowded = ttyLine(job(), { elapsedMs: 12_300, columns: 100, color: false, frame: 0 });
  assert.ok(crowded.includes('500 queued, 460 submitted') && !crowded.includes('batches'), `items by state outrank batches: ${crowded}`);
});

test('plain lines carry no ANSI and change only when the job does', () => {
  const line = plainLine(job(), 12_300);
  assert.equal(line, ' 12.3s  running · 1040/2000 done (52%) · 1038 succeeded · 2 failed · 500 queued · 460 submitted · batches 1/2 · $0.21');
  assert.equal(plainState(job()), plainState(job({ updated_at: 'later' })), 'the elapsed time and timestamps are no change');
  assert.notEqual(plainState(job()), plainState(job({ counts: { ...job().counts, succeeded: 1039, queued: 499 } })));
  assert.match(plainState(job({ cancel_requested: true })), /^running \(canceling\)/);
  assert.match(plainState(job({ deliveries: { pending: 12, delivered: 0, dead: 0 } })), /12 to deliver/);
});

test('money fields are rendered generically, so new ones need no CLI change', () => {
  assert.deepEqual(costFields({ standard_usd: 0.82, usd: 0.41, saved_usd: 0.41, estimate_usd: 0.5, by_source: { reviews: 0.41 } }), [
    ['cost', '$0.41'],
    ['standard', '$0.82'],
    ['saved', '$0.41'],
    ['estimate', '$0.50'],
  ]);
  const report = statusReport(job({ cost: { usd: 0.41, standard_usd: 0.82, saved_usd: 0.41, estimate_usd: 0.5 } })).join('\n');
  assert.match(report, /cost +\$0\.41 \(standard \$0\.82, saved \$0\.41, estimate \$0\.50\)/);
});

test('the status report shows items by state, batches with their requests, tokens and deliveries', () => {
  const many = Array.from({ length: 12 }, (_, i) => ({ provider_id: `msgbatch_${i}`, status: 'in_progress', request_count: 10, request_counts: { processing: 10 } }));
  const report = statusReport(job({ batches: many, error: { type: 'x', message: 'boom' }, trace_id: 'abc' })).join('\n');
  assert.match(report, /^job job_0123456789abcdefghij {2}"q3-reviews"/);
  assert.match(report, /items +2000 total · 1040 done \(52%\) · 1038 succeeded · 2 failed · 0 canceled · 500 queued · 460 submitted · 0 retrying/);
  assert.match(report, /batches +12: 12 in_progress/);
  assert.match(report, /msgbatch_0 · in_progress · 10 requests: processing 10/);
  assert.match(report, /… 2 more \(see --json\)/);
  assert.match(report, /tokens +120000 input · 40000 output/);
  assert.match(report, /deliveries 1040 delivered · 0 pending · 0 dead/);
  assert.match(report, /error +x: boom/);
  assert.match(report, /trace +abc/);
});

test('a finished job reports its own run time; an open one the time watched', () => {
  assert.equal(jobDurationMs(job({ finished_at: '2026-11-24T10:00:12.300Z' }), 999), 12_300);
  assert.equal(jobDurationMs(job(), 999), 999);
});
