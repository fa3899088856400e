// Following a job: every snapshot reaches the display, a server that blips is waited for, a real
// problem is not, and Ctrl-C (the signal) ends following without an error.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Api } from './api.ts';
import type { ProgressDisplay } from './display.ts';
import { ApiProblemError, ServerUnreachableError } from './errors.ts';
import { followJob } from './follow.ts';
import type { JobSnapshot } from './types.ts';

const snapshot = (status: string, succeeded: number): JobSnapshot => ({ id: 'job_1', status, counts: { total: 3, queued: 3 - succeeded, submitted: 0, succeeded, failed: 0, canceled: 0 } });

function fakeApi(answers: Array<JobSnapshot | Error>): Api & { calls: number } {
  const api = {
    calls: 0,
    target: { baseUrl: 'http://x', origin: 'test' },
    async get<T>(): Promise<T> {
      const next = answers[Math.min(api.calls++, answers.length - 1)];
      if (next instanceof Error) throw next;
      return next as T;
    },
    post: async () => {
      throw new Error('not used');
    },
    open: async () => {
      throw new Error('not used');
    },
  };
  return api;
}

function recorder(): ProgressDisplay & { seen: string[]; notes: string[] } {
  const seen: string[] = [];
  const notes: string[] = [];
  return { seen, notes, update: (job) => seen.push(`${job.status}:${job.counts.succeeded}`), note: (text) => notes.push(text), stop: () => {} };
}

test('follows to the final state, through a restart of the server', async () => {
  const display = recorder();
  const api = fakeApi([snapshot('running', 0), new ServerUnreachableError('down'), new ApiProblemError(503, 'Service unavailable', '', undefined, undefined), snapshot('running', 2), snapshot('completed', 3)]);
  const job = await followJob(api, 'job_1', { display, signal: new AbortController().signal, pollMs: 1 });
  assert.equal(job?.status, 'completed');
  assert.deepEqual(display.seen, ['running:0', 'running:2', 'completed:3']);
  assert.deepEqual(display.notes, ['(server unreachable, retrying…)', '(server answered 503, retrying…)']);
});

test('a real problem ends following at once; so does a server gone for longer than the patience', async () => {
  const missing = fakeApi([new ApiProblemError(404, 'Not found', 'job job_1 does not exist', 'not_found', undefined)]);
  await assert.rejects(followJob(missing, 'job_1', { display: recorder(), signal: new AbortController().signal, pollMs: 1 }), ApiProblemError);
  const gone = fakeApi([new ServerUnreachableError('down')]);
  await assert.rejects(followJob(gone, 'job_1', { display: recorder(), signal: new AbortController().signal, pollMs: 1, patienceMs: 20 }), ServerUnreachableError);
});

test('the signal ends following without an error', async () => {
  const controller = new AbortController();
  const api = fakeApi([snapshot('running', 1)]);
  setTimeout(() => controller.abort(), 30);
  assert.equal(await followJob(api, 'job_1', { display: recorder(), signal: controller.signal, pollMs: 5 }), undefined);
  assert.ok(api.calls >= 2);
});
