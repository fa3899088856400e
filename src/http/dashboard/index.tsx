// The web dashboard: server-rendered pages (Hono JSX) at `/`, `/jobs/:id` (and its results explorer) and `/login`, plus the form posts
// behind the job page's buttons. Plain routes, not part of the OpenAPI document.
import type { OpenAPIHono } from '@hono/zod-openapi';
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { cancelJob, closeJobSource } from '../../engine/lifecycle/cancel.ts';
import { actorOf, requestJobDelete, waitForDeliveriesInFlight } from '../../engine/lifecycle/delete-job.ts';
import { DeleteJobPage } from './delete-page.tsx';
import { resumeJob, type ResumeInput } from '../../engine/lifecycle/resume.ts';
import { retryFailedItems } from '../../engine/lifecycle/retry.ts';
import { AppError, coerceError, invalidField } from '../../errors.ts';
import { guessBudget } from '../auth.ts';
import { clientAddresses } from '../client-address.ts';
import type { AppDeps } from '../deps.ts';
import type { TokenBuckets } from '../middleware/rate-limit.ts';
import { spentSignatures } from '../spent-signatures.ts';
import { jobPath } from './format.ts';
import {
  checkForm,
  checkLoginForm,
  clearSessionCookie,
  hasLiveSession,
  readSessionCookie,
  requireLogin,
  safeNext,
  servedInsecurely,
  setSessionCookie,
  wasSignedIn,
  type Refusal,
} from './guard.ts';
import { JobListLive, JobListPage } from './job-list-page.tsx';
import { JobLive, JobPageView } from './job-page.tsx';
import { MessagePage, type PageContext } from './layout.tsx';
import { LoginPage, LogoutPage } from './login-page.tsx';
import { listJobs, loadJobPage } from './queries.ts';
import { registerExperimentPages } from './experiment-routes.tsx';
import { registerResultsPages } from './results-routes.tsx';
import { isFragmentRequest, securePage, sendFragment, sendPage, type DashboardEnv } from './render.ts';
import { createSessions } from './session.ts';

type Ctx = Context<DashboardEnv>;

const ACTIONS = ['cancel', 'retry', 'close', 'resume'] as const;
type Action = (typeof ACTIONS)[number];

export interface DashboardOptions {
  /** Wrong keys an address may present, shared with the API's bearer check (auth.ts). */
  guesses?: TokenBuckets;
  clientAddress?: (c: Context) => string;
}

export function registerDashboard(app: OpenAPIHono, deps: AppDeps, options: DashboardOptions = {}): void {
  app.route('/', createDashboard(deps, options));
}

export function createDashboard(deps: AppDeps, options: DashboardOptions = {}): Hono<DashboardEnv> {
  const sessions = createSessions(deps.config.BATCHLINE_API_KEYS, deps.secretKey.current, spentSignatures(deps.db));
  const guesses = options.guesses ?? guessBudget();
  const clientAddress = options.clientAddress ?? clientAddresses(deps.config.BATCHLINE_TRUSTED_PROXIES);
  const ui = new Hono<DashboardEnv>();
  const pageContext = (c: Ctx): PageContext => ({ nonce: c.get('nonce'), csrf: c.get('csrf') ?? '', signedIn: wasSignedIn(c) });
  const refuse: Refusal = (c, status, message) =>
    isFragmentRequest(c) ? c.text(message, status) : sendPage(c, <MessagePage ctx={pageContext(c)} title={status === 401 ? 'Log in again' : 'Refused'} message={message} />, status);
  const login = requireLogin(sessions, refuse);
  const smallForm = bodyLimit({ maxSize: 16 * 1024, onError: (c) => c.text('form too large', 413) });

  ui.onError((error, c) => {
    const appError = coerceError(error);
    if (appError.code === 'internal') deps.log.error({ err: error, path: c.req.path }, 'dashboard request failed');
    const status = appError.status as ContentfulStatusCode;
    return sendPage(c, <MessagePage ctx={pageContext(c)} title={appError.code === 'internal' ? 'Something went wrong' : 'Not possible'} message={appError.message} />, status);
  });

  ui.get('/', securePage, login, async (c) => {
    const cursor = c.req.query('cursor') || undefined;
    const page = await listJobs(deps.db, cursor);
    if (isFragmentRequest(c)) return sendFragment(c, <JobListLive page={page} cursor={cursor} />);
    const deleted = c.req.query('deleted');
    const notice = deleted && /^[\w-]{1,100}$/.test(deleted) ? `Job ${deleted} is being deleted: it leaves this list once every part of it is gone, provider side included.` : undefined;
    return sendPage(c, <JobListPage ctx={pageContext(c)} page={page} cursor={cursor} notice={notice} />);
  });

  ui.get('/jobs/:id', securePage, login, async (c) => showJob(c, 200));
  registerExperimentPages(ui, deps, { pageContext, login, smallForm, checkForm: checkForm(sessions, refuse) });
  registerResultsPages(ui, deps, { pageContext, login, smallForm, checkForm: checkForm(sessions, refuse) });

  for (const action of ACTIONS) {
    ui.post(`/jobs/:id/${action}`, securePage, smallForm, login, checkForm(sessions, refuse), async (c) => {
      const id = c.req.param('id');
      try {
        const done = await runAction(deps, action, id, c.get('form'));
        return c.redirect(`${jobPath(id)}?done=${action}${action === 'retry' ? `&n=${done}` : ''}`, 303);
      } catch (error) {
        const appError = coerceError(error);
        if (appError.code !== 'conflict') throw error;
        return showJob(c, 409, appError.message);
      }
    });
  }

  // Deleting takes two steps: a page that says what goes and what stays, then its form.
  ui.get('/jobs/:id/delete', securePage, login, async (c) => {
    const id = c.req.param('id');
    const data = id.length <= 200 ? await loadJobPage(deps.db, id) : undefined;
    if (!data || data.view.status === 'deleting') throw new AppError('not_found', `There is no job with id ${id} (or it is being deleted).`);
    return sendPage(c, <DeleteJobPage ctx={pageContext(c)} view={data.view} />);
  });

  ui.post('/jobs/:id/delete', securePage, smallForm, login, checkForm(sessions, refuse), async (c) => {
    const id = c.req.param('id');
    // The confirmation page sends the job's id back: a post without it was not confirmed on that page.
    if (c.get('form').confirm !== id) throw invalidField('confirm', 'confirm the delete on the job\'s delete page');
    await requestJobDelete(deps, id, actorOf(sessions.required ? readSessionCookie(c) : undefined, 'dashboard'));
    await waitForDeliveriesInFlight(deps.db, id, deps.config.BATCHLINE_LEASE_MS);
    return c.redirect(`/?deleted=${encodeURIComponent(id)}`, 303);
  });

  ui.get('/login', securePage, async (c) => {
    const next = safeNext(c.req.query('next'));
    if (!sessions.required || (await hasLiveSession(c, sessions))) return c.redirect(next, 303);
    return sendPage(c, <LoginPage ctx={pageContext(c)} next={next} failed={false} insecure={servedInsecurely(c)} />);
  });

  ui.post('/login', securePage, smallForm, checkLoginForm(refuse), async (c) => {
    const form = c.get('form');
    const next = safeNext(form.next);
    if (!sessions.required) return c.redirect(next, 303);
    // Every try spends from the address's guess budget and a right one gives it back; with none left the
    // token is not even looked at, so a guesser cannot tell a right guess from a refused one.
    const address = clientAddress(c);
    const wait = guesses.take(address);
    if (wait > 0) {
      c.header('retry-after', String(wait));
      const message = `Too many wrong tokens were tried from your address. Try again in ${wait} seconds.`;
      return sendPage(c, <MessagePage ctx={pageContext(c)} title="Too many attempts" message={message} />, 429);
    }
    const session = sessions.open(form.token ?? '');
    if (!session) return sendPage(c, <LoginPage ctx={pageContext(c)} next={next} failed insecure={servedInsecurely(c)} />, 401);
    guesses.refund(address);
    setSessionCookie(c, session);
    return c.redirect(next, 303);
  });

  ui.get('/logout', securePage, login, (c) => (sessions.required ? sendPage(c, <LogoutPage ctx={pageContext(c)} />) : c.redirect('/', 303)));

  ui.post('/logout', securePage, smallForm, login, checkForm(sessions, refuse), async (c) => {
    // Ended here, not only in this browser: a copy of the cookie taken before opens nothing afterwards.
    if (sessions.required) await sessions.revoke(readSessionCookie(c));
    clearSessionCookie(c);
    return c.redirect(sessions.required ? '/login' : '/', 303);
  });

  async function showJob(c: Ctx, status: 200 | 409, actionError?: string): Promise<Response> {
    const id = c.req.param('id') ?? '';
    const data = id.length <= 200 ? await loadJobPage(deps.db, id) : undefined;
    if (!data) throw new AppError('not_found', `There is no job with id ${id}.`);
    const props = { ctx: pageContext(c), data, traceTemplate: deps.config.BATCHLINE_TRACE_URL, now: new Date(), actionError, notice: noticeOf(c) };
    if (isFragmentRequest(c)) return sendFragment(c, <JobLive {...props} />);
    return sendPage(c, <JobPageView {...props} />, status);
  }

  return ui;
}

async function runAction(deps: AppDeps, action: Action, id: string, form: Record<string, string>): Promise<number> {
  // The same engine calls as POST /v1/jobs/{id}/cancel, /retry, /close and /resume.
  if (action === 'cancel') await cancelJob(deps, id);
  else if (action === 'close') await closeJobSource(deps, id);
  else if (action === 'resume') await resumeJob(deps, id, resumeInputOf(form));
  else return retryFailedItems(deps, id);
  return 0;
}

/** The resume form: a new budget (blank keeps the current one), or accepting a failed pilot. */
function resumeInputOf(form: Record<string, string>): ResumeInput {
  const raw = (form.max_usd ?? '').trim();
  const maxUsd = raw === '' ? undefined : /^\d+(\.\d+)?$/.test(raw) && Number(raw) > 0 ? Number(raw) : NaN;
  if (Number.isNaN(maxUsd)) throw invalidField('max_usd', `"${raw}" is not an amount of USD above 0 (e.g. 25 or 2.50)`);
  return { ...(maxUsd !== undefined ? { max_usd: maxUsd } : {}), ...(form.accept_pilot === 'true' ? { accept_pilot: true } : {}) };
}

/** The confirmation after a post-redirect-get; only known values are shown. */
function noticeOf(c: Ctx): string | undefined {
  if (c.req.method !== 'GET') return undefined;
  switch (c.req.query('done')) {
    case 'cancel':
      return 'Cancel requested: queued items are canceled and open batches are being canceled.';
    case 'close':
      return 'Source closed: the job ends once the documents it has are done.';
    case 'promoted':
      return 'Promoted from an experiment: the sampled documents are answered from the result cache; only the rest is sent.';
    case 'resume':
      return 'Resumed: the job sends its remaining items again (it pauses again if the budget still does not cover them).';
    case 'retry': {
      const n = Number.parseInt(c.req.query('n') ?? '', 10);
      return Number.isFinite(n) && n >= 0 ? `${n} failed ${n === 1 ? 'item was' : 'items were'} queued again.` : 'Failed items were queued again.';
    }
    default:
      return undefined;
  }
}
