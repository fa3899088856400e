// The experiment list at `/experiments`: newest first, with status, task, arms and sample size.
import type { ExperimentSummary } from '../../experiments/view.ts';
import { StatusBadge, Time } from './components.tsx';
import { formatCount } from './format.ts';
import { experimentPath } from './experiment-page.tsx';
import { Layout, type PageContext } from './layout.tsx';

export function ExperimentListPage(props: { ctx: PageContext; experiments: ExperimentSummary[] }) {
  const open = props.experiments.filter((e) => e.status === 'running').length;
  return (
    <Layout ctx={props.ctx} title="Experiments" live={open > 0}>
      <h1>Experiments</h1>
      <div id="live" data-final={String(open === 0)} data-status={String(open)} data-announce={open === 0 ? 'Every experiment on this page has ended.' : `${open} experiments are running.`} data-title="Experiments · Batchline">
        {props.experiments.length === 0 ? (
          <p class="panel">
            No experiments yet. Create one with <code>POST /v1/experiments</code> or <code>batchline compare</code>.
          </p>
        ) : (
          <div class="panel table-scroll">
            <table>
              <caption class="visually-hidden">Experiments, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Experiment</th>
                  <th scope="col">Status</th>
                  <th scope="col">Task</th>
                  <th scope="col">Arms</th>
                  <th scope="col" class="num">
                    Sample
                  </th>
                  <th scope="col">Created</th>
                </tr>
              </thead>
              <tbody>
                {props.experiments.map((e) => (
                  <tr id={`experiment-row-${e.id}`} data-live-part>
                    <th scope="row">
                      <a href={experimentPath(e.id)} id={`experiment-link-${e.id}`}>
                        {e.name ?? e.id}
                      </a>
                    </th>
                    <td>
                      <StatusBadge status={e.status} />
                    </td>
                    <td>{e.task}</td>
                    <td>{e.arms.join(', ')}</td>
                    <td class="num">{formatCount(e.sample_size)}</td>
                    <td>
                      <Time iso={e.created_at} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </div>
    </Layout>
  );
}
