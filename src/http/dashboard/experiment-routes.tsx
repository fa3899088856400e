// The dashboard's experiment pages: `/experiments`, `/experiments/:id` (refreshing itself while arms run)
// and the promote form behind its buttons, which calls the same engine function as the API.
import type { Context, Hono, MiddlewareHandler } from 'hono';
import { AppError, coerceError } from '../../errors.ts';
import { documentsPage } from '../../experiments/documents.ts';
import { promoteArm } from '../../experiments/promote.ts';
import { armRowsByExperiment, experimentView, loadExperiment, summaryOf } from '../../experiments/view.ts';
import type { AppDeps } from '../deps.ts';
import { ExperimentListPage } from './experiment-list-page.tsx';
import { ExperimentLive, ExperimentPageView } from './experiment-page.tsx';
import { jobPath } from './format.ts';
import type { PageContext } from './layout.tsx';
import { isFragmentRequest, sendFragment, sendPage, securePage, type DashboardEnv } from './render.ts';

const LISTED = 50;
const DISAGREEMENTS_SHOWN = 25;

export interface PageGuards {
  pageContext(c: Context<DashboardEnv>): PageContext;
  login: MiddlewareHandler<DashboardEnv>;
  smallForm: MiddlewareHandler<DashboardEnv>;
  checkForm: MiddlewareHandler<DashboardEnv>;
}

export function registerExperimentPages(ui: Hono<DashboardEnv>, deps: AppDeps, guards: PageGuards): void {
  ui.get('/experiments', securePage, guards.login, async (c) => {
    const rows = await deps.db.selectFrom('experiments').selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(LISTED).execute();
    const arms = await armRowsByExperiment(deps.db, rows.map((row) => row.id));
    const experiments = rows.map((row) => summaryOf(row, arms.get(row.id) ?? []));
    return sendPage(c, <ExperimentListPage ctx={guards.pageContext(c)} experiments={experiments} />);
  });

  ui.get('/experiments/:id', securePage, guards.login, async (c) => show(c, 200));

  ui.post('/experiments/:id/promote', securePage, guards.smallForm, guards.login, guards.checkForm, async (c) => {
    const id = c.req.param('id');
    try {
      const { job } = await promoteArm(deps, id, { arm: c.get('form').arm ?? '' });
      return c.redirect(`${jobPath(job.id)}?done=promoted`, 303);
    } catch (error) {
      const appError = coerceError(error);
      if (appError.code !== 'conflict' && appError.code !== 'validation_failed') throw error;
      return show(c, 409, appError.message);
    }
  });

  async function show(c: Context<DashboardEnv>, status: 200 | 409, actionError?: string): Promise<Response> {
    const id = c.req.param('id') ?? '';
    const row = id.length <= 200 ? await loadExperiment(deps.db, id) : undefined;
    if (!row) throw new AppError('not_found', `There is no experiment with id ${id}.`);
    const view = await experimentView(deps.db, row);
    const disagreements = view.comparison ? (await documentsPage(deps.db, row, { only: 'disagreements', after: 0, limit: DISAGREEMENTS_SHOWN })).data : [];
    const props = { ctx: guards.pageContext(c), view, disagreements, actionError };
    if (isFragmentRequest(c)) return sendFragment(c, <ExperimentLive {...props} />);
    return sendPage(c, <ExperimentPageView {...props} />, status);
  }
}

