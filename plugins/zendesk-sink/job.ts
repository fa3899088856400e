// One bulk update and the job that carries it out: PUT update_many answers a job status, which is then
// polled until Zendesk says the job is over (formats.md A, "Bulk update"; developer.zendesk.com "Job statuses").
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import type { ZendeskSinkConfig } from './config.ts';
import { request, type Failure } from './http.ts';
import type { TicketUpdate } from './render.ts';

/** Most tickets one update_many request may carry (formats.md A, "Bulk update"). */
export const MAX_TICKETS_PER_UPDATE = 100;

const FINAL_STATES = new Set(['completed', 'failed', 'killed']);
/** The first look at a new job (poll_interval_ms when that is shorter). */
const FIRST_POLL_MS = 250;

const jobResultSchema = z.looseObject({
  id: z.union([z.number(), z.string()]).optional(),
  success: z.boolean().optional(),
  status: z.string().optional(),
  error: z.unknown().optional(),
  errors: z.unknown().optional(),
  details: z.unknown().optional(),
});
const jobStatusSchema = z.object({
  job_status: z.looseObject({
    id: z.string().min(1),
    status: z.string(),
    message: z.string().nullish(),
    // An array for bulk updates; other job types answer an object here, which carries no per-ticket news.
    results: z.unknown().optional(),
  }),
});

export type JobResult = z.infer<typeof jobResultSchema>;

export interface JobStatus {
  id: string;
  status: string;
  message: string | null;
  results: JobResult[];
}

/**
 * `acceptedAt` / `doneAt`: Zendesk's clock when it took the update and when it reported the job over
 * (HTTP Date headers), the window in which the tickets' updated_at falls.
 */
export type JobAnswer = ({ ok: true; job: JobStatus } | { ok: false; failure: Failure }) & { acceptedAt?: Date; doneAt?: Date };

/** Sends one update_many (at most MAX_TICKETS_PER_UPDATE tickets) and waits for its job to end. */
export async function updateMany(config: ZendeskSinkConfig, tickets: TicketUpdate[], signal: AbortSignal): Promise<JobAnswer> {
  const answer = await request(config, 'PUT', '/api/v2/tickets/update_many.json', { tickets }, signal);
  if (!answer.ok) return answer;
  const accepted = answer.at ? { acceptedAt: answer.at } : {};
  const job = jobOf(answer.body);
  if (!job) return { ok: false, failure: { retryable: true, error: 'Zendesk PUT /api/v2/tickets/update_many.json: answer without a job_status' }, ...accepted };
  return { ...(await followJob(config, job, signal)), ...accepted };
}

/**
 * Polls the job until it is over or job_timeout_ms has passed. Once the update is submitted, giving up
 * means it is sent again later (and its note posted twice), so a 429, 5xx or network error while polling
 * is waited out within the time limit rather than handed back at once.
 */
async function followJob(config: ZendeskSinkConfig, first: JobStatus, signal: AbortSignal): Promise<JobAnswer> {
  const path = `/api/v2/job_statuses/${encodeURIComponent(first.id)}.json`;
  const deadline = Date.now() + config.job_timeout_ms;
  let job = first;
  let doneAt: Date | undefined;
  let lastFailure: Failure | undefined;
  let polls = 0;
  while (!FINAL_STATES.has(job.status)) {
    // A small job is often done within a moment: the first look comes early, the rest at poll_interval_ms.
    const interval = polls++ === 0 ? Math.min(config.poll_interval_ms, FIRST_POLL_MS) : config.poll_interval_ms;
    const wait = Math.max(interval, lastFailure?.retryAfterMs ?? 0);
    if (Date.now() + wait > deadline) {
      const why = lastFailure ? lastFailure.error : `Zendesk job ${job.id} still ${job.status} after ${config.job_timeout_ms} ms`;
      return { ok: false, failure: { ...lastFailure, retryable: true, error: why } };
    }
    try {
      await sleep(wait, undefined, { signal });
    } catch {
      return { ok: false, failure: { retryable: true, error: 'delivery aborted' } };
    }
    const answer = await request(config, 'GET', path, undefined, signal);
    if (!answer.ok) {
      // A job Zendesk no longer knows (they expire, and only the latest are kept) cannot tell us more.
      if (answer.status === 404) return { ok: false, failure: { retryable: true, error: `Zendesk job ${job.id} is gone before it reported its results` } };
      if (!answer.failure.retryable || signal.aborted) return answer;
      lastFailure = answer.failure;
      continue;
    }
    const next = jobOf(answer.body);
    if (!next) return { ok: false, failure: { retryable: true, error: `Zendesk GET ${path}: answer without a job_status` } };
    job = next;
    doneAt = answer.at;
    lastFailure = undefined;
  }
  return { ok: true, job, ...(doneAt ? { doneAt } : {}) };
}

function jobOf(body: unknown): JobStatus | undefined {
  const parsed = jobStatusSchema.safeParse(body);
  if (!parsed.success) return undefined;
  const { id, status, message, results } = parsed.data.job_status;
  const entries = Array.isArray(results) ? results.flatMap((r) => {
    const entry = jobResultSchema.safeParse(r);
    return entry.success ? [entry.data] : [];
  }) : [];
  return { id, status, message: message ?? null, results: entries };
}
