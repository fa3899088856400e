// The metrics Batchline emits over OTLP, in one place: the instruments are made from this list, and the
// Grafana dashboard and alert rules in deploy/ are checked against it (test/deploy.test.ts).
//
// `prometheus` is the name a Prometheus-compatible backend shows after the OpenTelemetry Collector's
// translation (dots → underscores, `_total` on counters, `_seconds` for unit `s`; `{…}` units are dropped).

export type MetricKind = 'counter' | 'histogram' | 'gauge';

export interface MetricName {
  name: string;
  kind: MetricKind;
  unit: string;
  description: string;
  attributes: readonly string[];
  prometheus: string;
}

function metric(name: string, kind: MetricKind, unit: string, description: string, attributes: readonly string[]): MetricName {
  const base = name.replaceAll('.', '_');
  const withUnit = unit === 's' ? `${base}_seconds` : base;
  return { name, kind, unit, description, attributes, prometheus: kind === 'counter' ? `${withUnit}_total` : withUnit };
}

export const METRICS = {
  items: metric('batchline.items', 'gauge', '{item}', 'Items of unfinished and recent jobs by state', ['state']),
  jobs: metric('batchline.jobs', 'gauge', '{job}', 'Jobs by status', ['status']),
  batchDuration: metric('batchline.batch.duration', 'histogram', 's', 'Time from a batch’s submit to its end at the provider', ['provider_status']),
  resultsCollected: metric('batchline.results.collected', 'counter', '{result}', 'Results read from ended batches', ['status']),
  tokens: metric('batchline.tokens', 'counter', '{token}', 'Tokens used by collected results', ['gen_ai.token.type', 'gen_ai.request.model']),
  costUsd: metric('batchline.cost.usd', 'counter', '{USD}', 'Money spent at batch price, in US dollars', ['gen_ai.request.model']),
  deliveries: metric('batchline.deliveries', 'counter', '{delivery}', 'Result deliveries to sinks by outcome', ['sink', 'outcome']),
  pollCalls: metric('batchline.poll.calls', 'counter', '{call}', 'Calls to the provider to poll a batch', ['outcome']),
  callbacks: metric('batchline.callbacks', 'counter', '{callback}', 'Completion callbacks by verification outcome', ['outcome']),
  batchesSubmitted: metric('batchline.batches.submitted', 'counter', '{batch}', 'Batches created at the provider', ['gen_ai.request.model']),
  batchesGone: metric('batchline.batches.gone', 'counter', '{batch}', 'Provider batches declared gone (404 for the whole window, absent from the list); their items were sent again', ['call']),
  purgedRows: metric('batchline.lifecycle.purged_rows', 'counter', '{row}', 'Rows removed or emptied of customer text by the lifecycle sweep (job deletes, retention, text no longer needed)', ['table', 'reason']),
  providerBatchesDeleted: metric('batchline.lifecycle.provider_batches_deleted', 'counter', '{batch}', 'Batches deleted at the provider (their inputs and results gone there)', ['reason']),
} as const satisfies Record<string, MetricName>;

export const METRIC_LIST: readonly MetricName[] = Object.values(METRICS);
