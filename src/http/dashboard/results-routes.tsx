// The dashboard's results explorer: `/jobs/:id/results` (filtered pages), its exports (`.csv`, `.ndjson`,
// streamed a page at a time under the dashboard session), and the correction form behind each answer, which
// calls the same engine function as PUT /v1/jobs/{id}/items/{external_id}/correction.
import type { Context, Hono } from 'hono';
import { stream } from 'hono/streaming';
import { sql } from 'kysely';
import { actorOf } from '../../engine/lifecycle/delete-job.ts';
import { resultsPage, type ResultsPageOptions } from '../../engine/views/results-query.ts';
import { AppError, coerceError } from '../../errors.ts';
import { canonical } from '../../tasks/answer-schema.ts';
import { correctionsOf, correctItem } from '../../insights/corrections.ts';
import type { InsightField } from '../../insights/fields.ts';
import { filtersCondition, parseFilters } from '../../insights/filters.ts';
import { jobFields } from '../../insights/job-insights.ts';
import { csvHeaderOf, csvLineOf } from '../../insights/results-csv.ts';
import type { AppDeps } from '../deps.ts';
import type { PageGuards } from './experiment-routes.tsx';
import { jobPath } from './format.ts';
import { readSessionCookie } from './guard.ts';
import { securePage, sendPage, type DashboardEnv } from './render.ts';
import { ResultsExplorerPage, type ExplorerQuery } from './results-page.tsx';

type Ctx = Context<DashboardEnv>;

const PAGE_SIZE = 25;
const EXPORT_PAGE = 1000;
const STATUSES = new Set(['succeeded', 'failed', 'canceled']);

function queryOf(c: Ctx): ExplorerQuery {
  const filters = (c.req.queries('filter') ?? []).map((f) => f.trim()).filter((f) => f !== '');
  const status = c.req.query('status') ?? '';
  return { filters, q: (c.req.query('q') ?? '').trim(), status: STATUSES.has(status) ? status : '' };
}

function optionsOf(fields: readonly InsightField[], query: ExplorerQuery, withDocument: boolean): ResultsPageOptions {
  const filters = parseFilters(query.filters, 'filter');
  const where = filters.length > 0 || query.q ? filtersCondition(fields, filters, query.q, { output: sql`r.output`, metadata: sql`(i.document -> 'metadata')` }, 'filter') : undefined;
  return { status: query.status || undefined, where, withDocument };
}

async function loadJob(deps: AppDeps, id: string) {
  const job = id.length <= 200 ? await deps.db.selectFrom('jobs').select(['id', 'name', 'task', 'status', 'keep_text']).where('id', '=', id).executeTakeFirst() : undefined;
  if (!job || job.status === 'deleting') throw new AppError('not_found', `There is no job with id ${id}.`);
  return job;
}

/** Reads a correction form: `f.PATH` holds a field's value as typed, `was.PATH` the value it showed. Only changed fields count. */
export function changedFields(fields: readonly InsightField[], form: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    const raw = form[`f.${field.path}`];
    if (raw === undefined) continue;
    const value = formValue(field, raw);
    if (value === undefined) continue;
    if (canonical(value) === (form[`was.${field.path}`] ?? '')) continue;
    out[field.path] = value;
  }
  return out;
}

function formValue(field: InsightField, raw: string): unknown {
  const text = raw.trim();
  switch (field.kind) {
    case 'values': {
      const match = (field.values ?? []).find((v) => String(v) === text);
      return match === undefined ? text : match;
    }
    case 'number':
      return text === '' ? undefined : Number(text);
    case 'phrases':
      return text === '' ? [] : text.split(';').map((s) => s.trim()).filter(Boolean);
    case 'list':
      try {
        return JSON.parse(text || '[]') as unknown;
      } catch {
        return text;
      }
    default:
      return text === '' && field.kind !== 'text' ? null : text;
  }
}

/** Where a correction returns: the explorer page it came from, never another site or page. */
function returnPath(jobId: string, raw: string | undefined): string {
  const base = `${jobPath(jobId)}/results`;
  if (!raw || !(raw === base || raw.startsWith(`${base}?`))) return base;
  return raw;
}

export function registerResultsPages(ui: Hono<DashboardEnv>, deps: AppDeps, guards: PageGuards): void {
  ui.get('/jobs/:id/results', securePage, guards.login, async (c) => show(c, 200));

  for (const format of ['csv', 'ndjson'] as const) {
    ui.get(`/jobs/:id/results.${format}`, securePage, guards.login, async (c) => {
      const job = await loadJob(deps, c.req.param('id'));
      const fields = jobFields(job);
      const options = optionsOf(fields, queryOf(c), false);
      c.header('content-type', format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson');
      c.header('content-disposition', `attachment; filename="${job.id}-results.${format}"`);
      return stream(c, async (out) => {
        if (format === 'csv') await out.write(csvHeaderOf(fields));
        for (let next: number | null = 0; next !== null && !out.aborted; ) {
          const page = await resultsPage(deps.db, job.id, next, EXPORT_PAGE, options);
          if (page.results.length > 0) await out.write(page.results.map((r) => (format === 'csv' ? csvLineOf(fields, r) : `${JSON.stringify(r)}\n`)).join(''));
          next = page.next;
        }
      });
    });
  }

  ui.post('/jobs/:id/items/:external_id/correction', securePage, guards.smallForm, guards.login, guards.checkForm, async (c) => {
    const job = await loadJob(deps, c.req.param('id'));
    const externalId = c.req.param('external_id');
    const form = c.get('form');
    const back = returnPath(job.id, form.return_to);
    const fields = changedFields(jobFields(job), form);
    if (Object.keys(fields).length === 0) return c.redirect(`${back}${back.includes('?') ? '&' : '?'}done=unchanged`, 303);
    try {
      const actor = actorOf(deps.config.BATCHLINE_API_KEYS.length > 0 ? readSessionCookie(c) : undefined, 'dashboard');
      await correctItem(deps.db, job.id, externalId, { fields, ...(form.author?.trim() ? { author: form.author.trim() } : {}) }, actor);
    } catch (error) {
      const appError = coerceError(error);
      if (appError.code !== 'validation_failed' && appError.code !== 'conflict') throw error;
      return show(c, 422, appError.message);
    }
    return c.redirect(`${back}${back.includes('?') ? '&' : '?'}done=corrected&doc=${encodeURIComponent(externalId)}`, 303);
  });

  async function show(c: Ctx, status: 200 | 422, error?: string): Promise<Response> {
    const job = await loadJob(deps, c.req.param('id') ?? '');
    const fields = jobFields(job);
    const query = queryOf(c);
    const cursor = Number(c.req.query('cursor') ?? '0');
    const after = Number.isSafeInteger(cursor) && cursor > 0 ? cursor : 0;
    let page = { results: [] as Awaited<ReturnType<typeof resultsPage>>['results'], next: null as number | null };
    let problem = error;
    try {
      page = await resultsPage(deps.db, job.id, after, PAGE_SIZE, optionsOf(fields, query, true));
    } catch (e) {
      const appError = coerceError(e);
      if (appError.code !== 'validation_failed') throw e;
      problem = appError.message;
      status = 422;
    }
    const corrections = new Map((await correctionsOf(deps.db, job.id, { itemIds: page.results.map((r) => Number(r.item_id)) })).map((x) => [x.item_id, x]));
    const done = c.req.method === 'GET' ? c.req.query('done') : undefined;
    const doc = c.req.query('doc') ?? '';
    const notice = done === 'corrected' ? `Correction of ${doc.slice(0, 200)} saved.` : done === 'unchanged' ? 'Nothing was changed, so nothing was saved.' : undefined;
    return sendPage(
      c,
      <ResultsExplorerPage
        ctx={guards.pageContext(c)}
        jobId={job.id}
        jobName={job.name}
        keepsText={job.keep_text}
        fields={fields}
        query={query}
        results={page.results}
        corrections={corrections}
        next={page.next}
        after={after}
        notice={notice}
        error={problem}
      />,
      status,
    );
  }
}
