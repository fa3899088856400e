// The typed client for TypeScript users (`import { createBatchlineClient } from 'batchline/client'`):
// openapi-fetch over the types that `npm run openapi` generates from the routes, so every path, parameter,
// body and answer is checked by the compiler against the same document the server serves.
import createClient, { type Client, type ClientOptions } from 'openapi-fetch';
import type { components, paths } from './api-types.ts';

export type { components, operations, paths } from './api-types.ts';

type Schemas = components['schemas'];
export type Job = Schemas['Job'];
export type JobStatus = Schemas['JobStatus'];
export type JobSummary = Schemas['JobSummary'];
export type CreateJob = Schemas['CreateJob'];
export type Result = Schemas['Result'];
export type Delivery = Schemas['Delivery'];
export type Connection = Schemas['Connection'];
export type CreateConnection = Schemas['CreateConnection'];
/** PATCH /v1/connections/{name}: a JSON merge patch of the config. */
export type PatchConnection = Schemas['PatchConnection'];
export type ResealReport = Schemas['ResealReport'];
export type Task = Schemas['Task'];
export type Plugin = Schemas['Plugin'];
/** Every error answer: RFC 9457 problem details with a stable `code`. */
export type Problem = Schemas['Problem'];
export type DryRun = Schemas['DryRun'];
export type Estimate = Schemas['Estimate'];
export type Experiment = Schemas['Experiment'];
export type CreateExperiment = Schemas['CreateExperiment'];
export type ExperimentSummary = Schemas['ExperimentSummary'];
export type ExperimentComparison = Schemas['ExperimentComparison'];
export type ExperimentDocument = Schemas['ExperimentDocument'];
export type PromoteArm = Schemas['PromoteArm'];
/** GET /v1/deleted-jobs: what is kept of a deleted job (who, when, counts, usage, cost; no text). */
export type DeletedJob = Schemas['DeletedJob'];
/** GET /v1/jobs/{id}/insights: an aggregate per field of the task's answer. */
export type Insights = Schemas['Insights'];
export type FieldInsight = Schemas['FieldInsight'];
/** PUT /v1/jobs/{id}/items/{external_id}/correction: the right values of an answer's fields. */
export type CorrectionInput = Schemas['CorrectionInput'];
export type ItemCorrections = Schemas['ItemCorrections'];

/** POST /v1/jobs answers a DryRun with `?dry_run=true`, else a Job: this tells them apart (and narrows the type). */
export function isDryRun(answer: Job | DryRun): answer is DryRun {
  return 'dry_run' in answer && answer.dry_run === true;
}

/**
 * JSON answers and problem+json errors. (GET /v1/jobs/{id}/results also streams NDJSON: ask for it with
 * `parseAs: 'stream'` and an `accept: application/x-ndjson` header.)
 */
type Json = 'application/json' | 'application/problem+json';

export type BatchlineClient = Client<paths, Json>;

export interface BatchlineClientOptions {
  /** Where the server listens, e.g. `http://127.0.0.1:8080` (BATCHLINE_URL). */
  baseUrl: string;
  /** One of the server's BATCHLINE_API_KEYS (BATCHLINE_TOKEN); sent as `Authorization: Bearer …`. */
  token?: string | undefined;
  /** More headers for every request. */
  headers?: Record<string, string>;
  /** Another fetch (tests, proxies, retries). */
  fetch?: ClientOptions['fetch'];
}

/**
 * A client whose methods are the API's paths: `client.GET('/v1/jobs/{id}', { params: { path: { id } } })`
 * answers `{ data: Job }` or `{ error: Problem }`, typed from the OpenAPI document.
 */
export function createBatchlineClient(options: BatchlineClientOptions): BatchlineClient {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  return createClient<paths, Json>({
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    headers,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
}

/** An error answer of the API, thrown by the helpers below (the client methods return it instead). */
export class BatchlineError extends Error {
  override name = 'BatchlineError';
  readonly problem: Problem;

  constructor(problem: Problem) {
    super(`${problem.title}: ${problem.detail} [HTTP ${problem.status}]`);
    this.problem = problem;
  }
}

/** Every result of a job, page after page (the cursor is followed for you). */
export async function* resultsOf(
  client: BatchlineClient,
  jobId: string,
  query: { status?: Result['status']; limit?: number } = {},
): AsyncGenerator<Result, void, undefined> {
  let cursor: string | undefined;
  do {
    const { data, error } = await client.GET('/v1/jobs/{id}/results', { params: { path: { id: jobId }, query: { ...query, ...(cursor ? { cursor } : {}) } } });
    if (error) throw new BatchlineError(error);
    yield* data.data;
    cursor = data.next_cursor ?? undefined;
  } while (cursor);
}

/** Every sampled document of an experiment with each arm's answer, page after page; `filter` as the API takes it. */
export async function* experimentDocumentsOf(
  client: BatchlineClient,
  experimentId: string,
  query: { filter?: string; limit?: number } = {},
): AsyncGenerator<ExperimentDocument, void, undefined> {
  let cursor: string | undefined;
  do {
    const { data, error } = await client.GET('/v1/experiments/{id}/documents', { params: { path: { id: experimentId }, query: { ...query, ...(cursor ? { cursor } : {}) } } });
    if (error) throw new BatchlineError(error);
    yield* data.data;
    cursor = data.next_cursor ?? undefined;
  } while (cursor);
}

/** Polls an experiment until its arms have ended and it carries the comparison (or `signal` aborts). */
export async function waitForComparison(client: BatchlineClient, experimentId: string, options: { intervalMs?: number; signal?: AbortSignal } = {}): Promise<Experiment & { comparison: ExperimentComparison }> {
  for (;;) {
    const { data, error } = await client.GET('/v1/experiments/{id}', { params: { path: { id: experimentId } }, ...(options.signal ? { signal: options.signal } : {}) });
    if (error) throw new BatchlineError(error);
    if (data.comparison) return data as Experiment & { comparison: ExperimentComparison };
    options.signal?.throwIfAborted();
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 2000));
  }
}

/**
 * Deletes a job (DELETE /v1/jobs/{id}) and waits until it is gone, provider side included (GET answers
 * 404); resolves with its tombstone from GET /v1/deleted-jobs. An unknown id throws a BatchlineError (404).
 */
export async function deleteJobAndWait(client: BatchlineClient, jobId: string, options: { intervalMs?: number; signal?: AbortSignal } = {}): Promise<DeletedJob> {
  const signal = options.signal ? { signal: options.signal } : {};
  const { error } = await client.DELETE('/v1/jobs/{id}', { params: { path: { id: jobId } }, ...signal });
  if (error) throw new BatchlineError(error);
  for (;;) {
    const { error: gone, response } = await client.GET('/v1/jobs/{id}', { params: { path: { id: jobId } }, ...signal });
    if (gone && response.status === 404) break;
    if (gone) throw new BatchlineError(gone);
    options.signal?.throwIfAborted();
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 1000));
  }
  // Newest deletions first: the one just made is on the first pages.
  let cursor: string | undefined;
  do {
    const { data, error: listError } = await client.GET('/v1/deleted-jobs', { params: { query: { limit: 100, ...(cursor ? { cursor } : {}) } }, ...signal });
    if (listError) throw new BatchlineError(listError);
    const found = data.data.find((t) => t.id === jobId);
    if (found) return found;
    cursor = data.next_cursor ?? undefined;
  } while (cursor);
  throw new Error(`job ${jobId} is gone but has no tombstone`);
}
