// The money of a job on its page: spend against the estimate and the budget, the standard-price
// equivalent, and the savings split by source (batch discount, prompt cache, result cache).
import type { JobView } from '../../engine/views/job-view.ts';
import { ValueList } from './components.tsx';
import { formatCount, formatUsd } from './format.ts';

export function MoneyPanel(props: { view: JobView }) {
  const { view } = props;
  const { cost, estimate, budget } = view;
  const vs = view.estimate_vs_actual?.cost_usd;
  return (
    <>
      <dl class="pairs money" id="cost">
        <dt>Spent (batch price)</dt>
        <dd data-field="usd">{formatUsd(cost.usd)}</dd>
        {estimate ? (
          <>
            <dt>Estimated</dt>
            <dd data-field="estimate_usd">
              {formatUsd(estimate.cost.usd)} expected · {formatUsd(estimate.cost.no_cache_hit_usd)} with no cache hit · {formatUsd(estimate.cost.worst_case_usd)} at worst
              {vs && vs.error_pct !== null ? ` · ${Math.abs(vs.error_pct)}% ${vs.error_pct >= 0 ? 'under' : 'over'} the actual` : ''}
            </dd>
          </>
        ) : null}
        {budget ? (
          <>
            <dt>Budget</dt>
            <dd data-field="budget">
              {formatUsd(budget.max_usd)}: {formatUsd(budget.spent_usd)} spent, {formatUsd(budget.reserved_usd)} reserved, {formatUsd(budget.remaining_usd)} left
            </dd>
          </>
        ) : null}
        <dt>At standard API price, no caching</dt>
        <dd data-field="standard_usd">{formatUsd(cost.standard_usd)}</dd>
        <dt>Saved</dt>
        <dd data-field="saved_usd">{formatUsd(cost.saved_usd)}</dd>
        <dt class="indent">by the batch discount</dt>
        <dd data-field="batch_discount_usd">{formatUsd(cost.savings.batch_discount_usd)}</dd>
        <dt class="indent">by the prompt cache</dt>
        <dd data-field="prompt_cache_usd">{formatUsd(cost.savings.prompt_cache_usd)}</dd>
        <dt class="indent">by the result cache</dt>
        <dd>
          <span data-field="result_cache_usd">{formatUsd(cost.savings.result_cache_usd)}</span>
          {view.result_cache.enabled ? ` (${formatCount(view.result_cache.hits)} answers reused)` : ' (off for this job)'}
        </dd>
      </dl>
      {view.prompt_cache ? (
        <p class="muted" id="prompt-cache-note" data-marked={String(view.prompt_cache.marked)}>
          Prompt cache: {view.prompt_cache.note}.
        </p>
      ) : null}
      <h3>Tokens</h3>
      <ValueList values={view.usage} id="usage" />
    </>
  );
}

/** Why a paused job waits, what its pilot answered, and what continues it. */
export function PauseNotice(props: { view: JobView }) {
  const { view } = props;
  if (!view.pause_reason) return null;
  const failures = view.pilot?.failures ?? [];
  return (
    <div class="alert" role="alert" id="pause-reason">
      <p>
        <b>Paused</b>: {view.pause_reason.message}
      </p>
      {failures.length > 0 ? (
        <table>
          <caption>Pilot answers that failed the task schema</caption>
          <thead>
            <tr>
              <th scope="col">Document</th>
              <th scope="col">Why</th>
              <th scope="col">Answer</th>
            </tr>
          </thead>
          <tbody>
            {failures.map((f) => (
              <tr>
                <td class="mono">{f.external_id}</td>
                <td>{f.error?.message ?? ''}</td>
                <td class="mono">{JSON.stringify(f.output)?.slice(0, 200)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <p class="muted">
        Continue with <span class="mono">POST /v1/jobs/{view.id}/resume</span> (or <span class="mono">batchline resume {view.id}</span>
        {view.status === 'pilot_failed' ? ' --accept-pilot' : ' --max-usd …'}), or cancel the job.
      </p>
    </div>
  );
}
