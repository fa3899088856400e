// Checks deploy/ against the code it runs, without Docker or a cluster: every file parses, every file and
// service it refers to exists, every variable it sets is one the service reads (and together they make a
// valid configuration), and every metric the dashboard and the alerts query is one the service emits.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse, parseAllDocuments } from 'yaml';
import { CONFIG_KEYS, ConfigError, loadConfig } from '../src/config.ts';
import { traceUrl } from '../src/http/dashboard/format.ts';
import { METRIC_LIST, type MetricName } from '../src/telemetry/metric-names.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DEPLOY = path.join(ROOT, 'deploy');
const K8S = path.join(DEPLOY, 'k8s');

type Obj = Record<string, unknown>;
type Env = Record<string, string>;

const read = (file: string): string => fs.readFileSync(file, 'utf8');
const yamlOf = (file: string): Obj => parse(read(file)) as Obj;
const obj = (value: unknown, what: string): Obj => {
  assert.ok(value && typeof value === 'object' && !Array.isArray(value), `${what} is not a mapping`);
  return value as Obj;
};
const list = (value: unknown, what: string): unknown[] => {
  assert.ok(Array.isArray(value), `${what} is not a list`);
  return value;
};
const str = (value: unknown, what: string): string => {
  assert.equal(typeof value, 'string', `${what} is not a string`);
  return value as string;
};

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

/** A variable a Batchline process reads: a config key of src/config.ts, a standard OTEL_* one, or NODE_ENV. */
function isServiceVariable(name: string): boolean {
  return CONFIG_KEYS.includes(name) || /^OTEL_[A-Z0-9_]+$/.test(name) || name === 'NODE_ENV';
}

function portOf(endpoint: string): string {
  const m = /:(\d+)(?:\/|$)/.exec(endpoint);
  assert.ok(m?.[1], `no port in ${endpoint}`);
  return m[1];
}

// ---------------------------------------------------------------- compose

const compose = yamlOf(path.join(DEPLOY, 'docker-compose.yml'));
const services = obj(compose.services, 'services');
const service = (name: string): Obj => obj(services[name], `compose service ${name}`);

/** What `deploy/new-secrets.sh > deploy/.env` gives compose: the secrets it has no defaults for (issue #29). */
const generatedSecrets: Env = Object.fromEntries(
  execFileSync('sh', [path.join(DEPLOY, 'new-secrets.sh')], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
);

/**
 * Compose interpolation with only deploy/.env set: `${VAR:-default}` → default; `${VAR:?message}` → the
 * value new-secrets.sh made, and the message must say how to make it.
 */
function interpolate(value: string): string {
  return value.replace(/\$\{([A-Za-z0-9_]+)(?::?([-?])([^}]*))?\}/g, (whole, name: string, kind: string | undefined, rest: string | undefined) => {
    if (kind === '?') {
      assert.match(rest ?? '', /new-secrets\.sh/, `${whole}: the message must say how to make the value`);
      const generated = generatedSecrets[name];
      assert.ok(generated, `${name} is required by compose but deploy/new-secrets.sh does not make it`);
      return generated;
    }
    assert.notEqual(kind, undefined, `${whole} has no default: the stack would not start without it`);
    return rest ?? '';
  });
}

test('compose publishes every port on 127.0.0.1 unless BATCHLINE_BIND says otherwise, and has no published secret', () => {
  for (const [name, svc] of Object.entries(services)) {
    for (const port of (obj(svc, name).ports as unknown[] | undefined) ?? []) {
      assert.match(interpolate(String(port)), /^127\.0\.0\.1:/, `${name} publishes ${String(port)} beyond this machine`);
    }
  }
  const text = read(path.join(DEPLOY, 'docker-compose.yml'));
  assert.doesNotMatch(text, /BATCHLINE_API_KEYS:-|BATCHLINE_SECRET_KEY:-|WEBHOOK_SECRET:-/, 'a secret with a default');
});

function composeEnv(name: string): Env {
  const env = obj(service(name).environment, `${name}.environment`);
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, interpolate(String(v))]));
}

const builtServices = Object.keys(services).filter((name) => service(name).build !== undefined);
const imageCmd = (() => {
  const m = /^CMD\s+(\[.*\])\s*$/m.exec(read(path.join(DEPLOY, 'Dockerfile')));
  assert.ok(m?.[1], 'the Dockerfile has no CMD in exec form');
  return JSON.parse(m[1]) as string[];
})();
/** Replicas: built from the Batchline image and running its CMD (not another entry point such as the simulator). */
const replicas = builtServices.filter((name) => service(name).command === undefined);

/** dist/src/x.js (tsconfig.build.json: rootDir ".", outDir "dist") → the source it is compiled from. */
function sourceOfBuilt(file: string): string {
  const build = JSON.parse(read(path.join(ROOT, 'tsconfig.build.json'))) as { compilerOptions: { outDir: string; rootDir: string } };
  assert.equal(build.compilerOptions.rootDir, '.');
  const rel = path.relative(build.compilerOptions.outDir, file);
  assert.ok(!rel.startsWith('..'), `${file} is not under ${build.compilerOptions.outDir}/`);
  return path.join(ROOT, rel.replace(/\.js$/, '.ts'));
}

test('every YAML file under deploy/ parses', () => {
  const files = filesUnder(DEPLOY).filter((f) => /\.ya?ml$/.test(f));
  assert.ok(files.length >= 12, `only ${files.length} YAML files`);
  for (const file of files) {
    for (const doc of parseAllDocuments(read(file))) {
      assert.deepEqual(doc.errors.map((e) => e.message), [], path.relative(ROOT, file));
      assert.ok(doc.contents !== null, `${path.relative(ROOT, file)} has an empty document`);
    }
  }
});

test('compose runs two Batchline replicas, Postgres, the Collector, Jaeger, Tempo, Prometheus and Grafana', () => {
  for (const name of ['postgres', 'otel-collector', 'jaeger', 'tempo', 'prometheus', 'grafana']) assert.ok(services[name], `no ${name} service`);
  assert.ok(replicas.length >= 2, `replicas: ${replicas.join(', ')}`);
  for (const name of builtServices) {
    const build = obj(service(name).build, `${name}.build`);
    const context = path.resolve(DEPLOY, str(build.context, 'build.context'));
    assert.equal(context, ROOT, `${name} is not built from the repository root`);
    assert.ok(fs.existsSync(path.join(context, str(build.dockerfile, 'build.dockerfile'))), `${name}: no ${String(build.dockerfile)}`);
  }
  assert.equal(new Set(replicas.map((n) => service(n).image)).size, 1, 'the replicas run different images');
  assert.match(str(service('otel-collector').image, 'collector image'), /opentelemetry-collector-contrib/);
  assert.match(str(service('postgres').image, 'postgres image'), /^postgres:16/);
  const pgHealth = obj(service('postgres').healthcheck, 'postgres.healthcheck');
  assert.match(JSON.stringify(pgHealth.test), /pg_isready/);
  for (const name of replicas) assert.equal(obj(obj(service(name).depends_on, 'depends_on').postgres, 'postgres').condition, 'service_healthy');
  for (const [name, s] of Object.entries(services)) {
    const image = str(obj(s, name).image, `${name}.image`);
    assert.ok(/:[\w.-]+$/.test(image) && !image.endsWith(':latest'), `${name}: image ${image} is not pinned`);
  }
});

test('every file compose mounts exists and every named volume is declared', () => {
  const declared = Object.keys(obj(compose.volumes, 'volumes'));
  let mounted = 0;
  for (const [name, s] of Object.entries(services)) {
    for (const volume of (obj(s, name).volumes as unknown[] | undefined) ?? []) {
      const source = str(volume, `${name} volume`).split(':')[0] ?? '';
      if (source.startsWith('.')) {
        assert.ok(fs.existsSync(path.resolve(DEPLOY, source)), `${name} mounts ${source}, which does not exist`);
        mounted += 1;
      } else {
        assert.ok(declared.includes(source), `${name} uses volume ${source}, not declared`);
      }
    }
  }
  assert.ok(mounted >= 7, `only ${mounted} files or folders mounted`);
});

test('the replicas set only variables Batchline reads, and with the defaults they are a valid configuration', () => {
  for (const name of replicas) {
    const env = composeEnv(name);
    assert.deepEqual(Object.keys(env).filter((k) => !isServiceVariable(k)), [], `${name} sets variables the service does not read`);
    const config = loadConfig(env);
    assert.ok(config.DATABASE_URL, 'no DATABASE_URL: replicas would each use their own embedded database');
    assert.ok(config.BATCHLINE_SECRET_KEY && config.BATCHLINE_API_KEYS.length > 0 && config.WEBHOOK_SECRET.length > 0);
    assert.equal(new URL(config.DATABASE_URL).hostname, 'postgres');
    assert.equal(String(config.PORT), imageExposedPort());
    // Telemetry goes to the Collector's OTLP/HTTP receiver.
    const otlp = new URL(str(env.OTEL_EXPORTER_OTLP_ENDPOINT, 'OTEL_EXPORTER_OTLP_ENDPOINT'));
    assert.equal(otlp.hostname, 'otel-collector');
    assert.equal(otlp.port, portOf(str(collectorReceiver().http?.endpoint, 'collector http endpoint')));
    assert.match(env.OTEL_EXPORTER_OTLP_PROTOCOL ?? 'http/protobuf', /^http\//);
    // The provider is the shared simulator service: one set of batches for all replicas.
    const provider = new URL(str(config.ANTHROPIC_BASE_URL, 'ANTHROPIC_BASE_URL'));
    assert.equal(provider.hostname, 'simulator');
    assert.equal(provider.port, composeEnv('simulator').SIMULATOR_PORT);
    assert.match(traceUrl(config.BATCHLINE_TRACE_URL, 'abc123') ?? '', /^http:\/\/localhost:16686\/trace\/abc123$/);
  }
  assert.deepEqual(replicas.map((n) => JSON.stringify(composeEnv(n))), replicas.map(() => JSON.stringify(composeEnv(replicas[0] ?? ''))), 'replicas differ in configuration');
});

test('the simulator service runs the standalone simulator with its own variables, signing callbacks with the replicas’ secret', () => {
  const command = list(service('simulator').command, 'simulator.command').map(String);
  assert.equal(command[0], 'node');
  const source = sourceOfBuilt(command[1] ?? '');
  assert.ok(fs.existsSync(source), `${command[1]} is built from ${path.relative(ROOT, source)}, which does not exist`);
  const known = new Set(read(source).match(/SIMULATOR_[A-Z_]+/g));
  const env = composeEnv('simulator');
  assert.deepEqual(Object.keys(env).filter((k) => !known.has(k)), [], 'variables the simulator does not read');
  const replicaEnv = composeEnv(replicas[0] ?? '');
  assert.equal(env.SIMULATOR_NOTIFY_SECRET, replicaEnv.WEBHOOK_SECRET, 'callbacks would all be refused as bad signatures');
  const notify = new URL(str(env.SIMULATOR_NOTIFY_URL, 'SIMULATOR_NOTIFY_URL'));
  assert.ok(replicas.includes(notify.hostname) && notify.pathname === '/v1/callbacks/batches', `notifier posts to ${notify.href}`);
});

// ---------------------------------------------------------------- Dockerfile

const dockerfile = read(path.join(DEPLOY, 'Dockerfile'));
const instructions = dockerfile
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'));
const stages = (() => {
  const out: Array<{ name: string; from: string; lines: string[] }> = [];
  for (const line of instructions) {
    const from = /^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
    if (from) out.push({ from: from[1] ?? '', name: from[2] ?? String(out.length), lines: [] });
    else out.at(-1)?.lines.push(line);
  }
  return out;
})();

function imageExposedPort(): string {
  const expose = stages.at(-1)?.lines.find((l) => l.startsWith('EXPOSE'));
  return expose?.split(/\s+/)[1] ?? '';
}

test('the Dockerfile builds in stages and runs the compiled service as a non-root user with a health check', () => {
  assert.ok(stages.length >= 3, `${stages.length} stages`);
  const runtime = stages.at(-1);
  assert.ok(runtime);
  const user = runtime.lines.filter((l) => l.startsWith('USER')).at(-1)?.split(/\s+/)[1] ?? '';
  assert.ok(user && !/^(root|0)(:|$)/.test(user), `runtime USER is "${user}"`);
  const healthcheck = runtime.lines.find((l) => l.startsWith('HEALTHCHECK'));
  assert.match(healthcheck ?? '', /\/healthz/);
  assert.match(healthcheck ?? '', /CMD \["node"/, 'the health check must not need curl (absent from slim images)');
  assert.equal(imageExposedPort(), '8080');
  assert.ok(runtime.lines.some((l) => /^ENV\b.*\bNODE_ENV=production\b/.test(l)), 'NODE_ENV=production');
  assert.equal(imageCmd[0], 'node');
  assert.ok(fs.existsSync(sourceOfBuilt(imageCmd[1] ?? '')), `CMD runs ${imageCmd[1]}, compiled from nothing`);
  assert.ok(stages.slice(0, -1).some((s) => s.lines.some((l) => /\bnpm run build\b/.test(l))), 'no stage runs npm run build');
});

test('the runtime image gets production dependencies only, and dist/ and migrations/ side by side', () => {
  const runtime = stages.at(-1);
  assert.ok(runtime);
  const copyFrom = (what: string) => runtime.lines.find((l) => new RegExp(`^COPY\\s+--from=(\\S+)\\s+\\S*${what}\\S*\\s`).test(l));
  const modules = /--from=(\S+)/.exec(copyFrom('node_modules') ?? '')?.[1];
  const depsStage = stages.find((s) => s.name === modules);
  assert.ok(depsStage, 'node_modules is not copied from a stage');
  assert.ok(depsStage.lines.some((l) => /\bnpm ci\b.*--omit=dev/.test(l)), `stage ${modules} does not install with npm ci --omit=dev`);
  assert.ok(!depsStage.lines.some((l) => /\bnpm ci\b(?!.*--omit=dev)/.test(l)), `stage ${modules} also installs dev dependencies`);
  assert.ok(copyFrom('dist'), 'dist/ is not copied from the build stage');
  // migrate.ts finds migrations/ three levels above dist/src/db: the two must be siblings.
  assert.ok(runtime.lines.some((l) => /^COPY\s+migrations\/?\s+\.\/migrations\/?$/.test(l)), 'migrations/ is not copied next to dist/');
  assert.ok(runtime.lines.some((l) => /^COPY\s+package\.json\s/.test(l)), 'package.json (the service version) is not copied');
});

test('everything the Dockerfile copies is in the build context, and .dockerignore keeps out local state', () => {
  const ignored = read(path.join(ROOT, '.dockerignore'))
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  for (const must of ['.git', '**/node_modules', '**/.batchline', 'dist', 'out', 'test', '.env']) assert.ok(ignored.includes(must), `.dockerignore does not exclude ${must}`);
  const sources = instructions.filter((l) => /^COPY\s/.test(l) && !/--from=/.test(l)).flatMap((l) => l.split(/\s+/).slice(1, -1).filter((a) => !a.startsWith('--')));
  assert.ok(sources.length >= 6);
  for (const source of sources) {
    assert.ok(fs.existsSync(path.join(ROOT, source)), `COPY ${source}: not in the repository`);
    const top = source.replace(/\/$/, '');
    assert.ok(!ignored.some((p) => p === top || p === top.split('/')[0]), `COPY ${source} is excluded by .dockerignore`);
  }
  // The file: devDependency must be in the context of the stage that runs a full npm ci.
  const pkg = JSON.parse(read(path.join(ROOT, 'package.json'))) as { devDependencies: Record<string, string> };
  for (const spec of Object.values(pkg.devDependencies).filter((v) => v.startsWith('file:'))) {
    assert.ok(sources.some((s) => s.replace(/\/$/, '') === spec.slice('file:'.length)), `${spec} is not copied for npm ci`);
  }
});

// ---------------------------------------------------------------- Collector, Prometheus, Tempo

const collector = yamlOf(path.join(DEPLOY, 'otel-collector.yaml'));

function collectorReceiver(): { http?: { endpoint?: string }; grpc?: { endpoint?: string } } {
  return obj(obj(obj(collector.receivers, 'receivers').otlp, 'receivers.otlp').protocols, 'otlp.protocols') as never;
}

function pipelineExporters(signal: string): string[] {
  return list(obj(obj(obj(collector.service, 'service').pipelines, 'pipelines')[signal], signal).exporters, `${signal}.exporters`).map(String);
}

test('the Collector receives OTLP/HTTP and its traces and metrics pipelines use only components it defines', () => {
  assert.ok(collectorReceiver().http, 'no OTLP/HTTP receiver');
  const pipelines = obj(obj(collector.service, 'service').pipelines, 'pipelines');
  for (const signal of ['traces', 'metrics']) {
    const pipeline = obj(pipelines[signal], `${signal} pipeline`);
    for (const kind of ['receivers', 'processors', 'exporters'] as const) {
      const defined = Object.keys(obj(collector[kind] ?? {}, kind));
      for (const component of (pipeline[kind] as string[] | undefined) ?? []) assert.ok(defined.includes(component), `${signal} uses ${kind} ${component}, not defined`);
    }
    assert.ok(((pipeline.exporters as string[] | undefined) ?? []).length > 0, `${signal} exports nowhere`);
  }
  for (const extension of (obj(collector.service, 'service').extensions as string[] | undefined) ?? []) assert.ok(obj(collector.extensions, 'extensions')[extension]);
});

test('traces go to both Jaeger and Tempo, metrics to the endpoint Prometheus scrapes', () => {
  const exporters = obj(collector.exporters, 'exporters');
  const traceTargets = pipelineExporters('traces').map((e) => str(obj(exporters[e], e).endpoint, `${e}.endpoint`));
  const tempo = yamlOf(path.join(DEPLOY, 'tempo.yaml'));
  const tempoProtocols = obj(obj(obj(obj(tempo.distributor, 'distributor').receivers, 'receivers').otlp, 'otlp').protocols, 'protocols');
  const tempoGrpc = str(obj(tempoProtocols.grpc, 'tempo grpc').endpoint, 'tempo grpc endpoint');
  assert.ok(traceTargets.includes(`tempo:${portOf(tempoGrpc)}`), `no exporter to Tempo (${traceTargets.join(', ')})`);
  assert.ok(traceTargets.includes('jaeger:4317'), `no exporter to Jaeger (${traceTargets.join(', ')})`);

  const promExporter = pipelineExporters('metrics').find((e) => e.split('/')[0] === 'prometheus');
  assert.ok(promExporter, 'metrics are not exposed for Prometheus');
  const port = portOf(str(obj(exporters[promExporter], promExporter).endpoint, 'prometheus exporter endpoint'));
  const prometheus = yamlOf(path.join(DEPLOY, 'prometheus.yml'));
  const targets = list(prometheus.scrape_configs, 'scrape_configs').flatMap((c) => list(obj(c, 'scrape').static_configs ?? [], 'static_configs').flatMap((s) => list(obj(s, 's').targets, 'targets')));
  assert.ok(targets.includes(`otel-collector:${port}`), `Prometheus does not scrape otel-collector:${port}`);
});

test('Prometheus loads the alert rules compose mounts for it', () => {
  const prometheus = yamlOf(path.join(DEPLOY, 'prometheus.yml'));
  const mounts = (service('prometheus').volumes as string[]).map((v) => v.split(':'));
  for (const rulePath of list(prometheus.rule_files, 'rule_files').map(String)) {
    const mount = mounts.find(([, target]) => target === rulePath);
    assert.ok(mount?.[0], `${rulePath} is not mounted`);
    assert.equal(path.resolve(DEPLOY, mount[0]), path.join(DEPLOY, 'prometheus-alerts.yml'));
  }
  const config = (service('prometheus').command as string[]).find((a) => a.startsWith('--config.file='))?.split('=')[1];
  assert.ok(mounts.some(([source, target]) => target === config && path.resolve(DEPLOY, source ?? '') === path.join(DEPLOY, 'prometheus.yml')));
});

// ---------------------------------------------------------------- PromQL against metric-names.ts

const PROMQL_KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan']);
const SERIES_LABELS = ['job', 'instance'];

/** Prometheus series names of a metric: histograms as _bucket, _sum and _count. */
function seriesNames(m: MetricName): string[] {
  return m.kind === 'histogram' ? ['bucket', 'sum', 'count'].map((s) => `${m.prometheus}_${s}`) : [m.prometheus];
}
const METRIC_BY_SERIES = new Map(METRIC_LIST.flatMap((m) => seriesNames(m).map((s) => [s, m] as const)));

/** The metric names and label names a PromQL expression uses (enough of PromQL for dashboards and rules). */
function promqlNames(expr: string): { metrics: string[]; labels: string[] } {
  const labels = new Set<string>();
  let s = expr.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""');
  s = s.replace(/\{([^}]*)\}/g, (_, body: string) => {
    for (const m of body.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)/g)) labels.add(m[1] ?? '');
    return ' ';
  });
  s = s.replace(/\[[^\]]*\]/g, ' ');
  s = s.replace(/\boffset\s+-?(?:\d+(?:ms|[smhdwy]))+/g, ' ');
  s = s.replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)/g, (_, names: string) => {
    for (const n of names.split(',').map((x) => x.trim()).filter(Boolean)) labels.add(n);
    return ' ';
  });
  s = s.replace(/\$\{?\w+\}?/g, ' ');
  const metrics = [...s.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)]
    .filter((m) => !PROMQL_KEYWORDS.has(m[0]) && !s.slice((m.index ?? 0) + m[0].length).trimStart().startsWith('('))
    .map((m) => m[0]);
  return { metrics: [...new Set(metrics)], labels: [...labels] };
}

/** Asserts every metric and label the expression names exists; returns the metrics. */
function checkPromql(expr: string, where: string): MetricName[] {
  const { metrics, labels } = promqlNames(expr);
  assert.ok(metrics.length > 0, `${where}: no metric in ${expr}`);
  const used = metrics.map((name) => {
    const m = METRIC_BY_SERIES.get(name);
    assert.ok(m, `${where}: ${name} is not a metric Batchline emits (src/telemetry/metric-names.ts)`);
    return m;
  });
  const known = new Set([...SERIES_LABELS, ...used.flatMap((m) => m.attributes.map((a) => a.replaceAll('.', '_'))), ...(metrics.some((n) => n.endsWith('_bucket')) ? ['le'] : [])]);
  for (const label of labels) assert.ok(known.has(label), `${where}: label ${label} is not an attribute of ${metrics.join(', ')}`);
  return used;
}

test('the PromQL checker finds metrics and labels, and refuses names the service does not emit', () => {
  assert.deepEqual(promqlNames('histogram_quantile(0.95, sum by (le) (rate(batchline_batch_duration_seconds_bucket{job=~"$job"}[$__rate_interval])))'), {
    metrics: ['batchline_batch_duration_seconds_bucket'],
    labels: ['job', 'le'],
  });
  assert.deepEqual(promqlNames('max(a{state="x"}) > 0 and on () (sum(increase(b_total[30m])) or vector(0)) == 0').metrics, ['a', 'b_total']);
  assert.deepEqual(promqlNames('(increase(c_total{sink="s"}[15m]) and c_total offset 1h30m) or c_total').metrics, ['c_total']);
  assert.throws(() => checkPromql('sum(rate(batchline_results_total[5m]))', 't'), /not a metric Batchline emits/);
  assert.throws(() => checkPromql('sum by (state) (rate(batchline_deliveries_total[5m]))', 't'), /label state/);
  assert.throws(() => checkPromql('rate(batchline_batch_duration_seconds[5m])', 't'), /not a metric/);
});

// ---------------------------------------------------------------- Grafana

const dashboard = JSON.parse(read(path.join(DEPLOY, 'grafana', 'dashboards', 'batchline.json'))) as Obj;
const datasourceFiles = filesUnder(path.join(DEPLOY, 'grafana', 'provisioning', 'datasources'));
const datasources = datasourceFiles.flatMap((f) => list(yamlOf(f).datasources, 'datasources').map((d) => obj(d, 'datasource')));

interface Panel {
  title?: string;
  type: string;
  datasource?: { uid?: string };
  targets?: Array<{ expr?: string; datasource?: { uid?: string }; query?: string }>;
  panels?: Panel[];
}
const panels = (dashboard.panels as Panel[]).flatMap((p) => [p, ...(p.panels ?? [])]);

test('Grafana is provisioned with Prometheus, Tempo and Jaeger datasources that point at compose services', () => {
  const byType = new Map(datasources.map((d) => [d.type, d]));
  for (const type of ['prometheus', 'tempo', 'jaeger']) assert.ok(byType.get(type), `no ${type} datasource`);
  assert.equal(new Set(datasources.map((d) => d.uid)).size, datasources.length, 'datasource uids are not unique');
  for (const d of datasources) {
    const url = new URL(str(d.url, `${String(d.name)}.url`));
    assert.ok(services[url.hostname], `${String(d.name)} points at ${url.hostname}, not a compose service`);
  }
  const provider = obj(list(yamlOf(path.join(DEPLOY, 'grafana', 'provisioning', 'dashboards', 'batchline.yaml')).providers, 'providers')[0], 'provider');
  const dashboardsPath = str(obj(provider.options, 'options').path, 'options.path');
  const mount = (service('grafana').volumes as string[]).map((v) => v.split(':')).find(([, target]) => target === dashboardsPath);
  assert.ok(mount?.[0], `${dashboardsPath} is not mounted into Grafana`);
  assert.ok(fs.existsSync(path.join(path.resolve(DEPLOY, mount[0]), 'batchline.json')));
});

test('the Batchline dashboard queries only metrics the service emits, through provisioned datasources, and covers all of them', () => {
  assert.equal(dashboard.title, 'Batchline');
  const uids = new Set(datasources.map((d) => String(d.uid)));
  const covered = new Set<string>();
  let queries = 0;
  for (const panel of panels) {
    if (panel.type === 'row' || panel.type === 'text') continue;
    for (const uid of [panel.datasource?.uid, ...(panel.targets ?? []).map((t) => t.datasource?.uid)]) if (uid) assert.ok(uids.has(uid), `${panel.title}: datasource ${uid} is not provisioned`);
    for (const target of panel.targets ?? []) {
      if (target.expr === undefined) continue;
      queries += 1;
      for (const m of checkPromql(target.expr, `panel "${panel.title}"`)) covered.add(m.name);
    }
  }
  for (const variable of list(obj(dashboard.templating, 'templating').list, 'templating.list').map((v) => obj(v, 'variable'))) {
    const query = obj(variable.query, 'variable.query').query;
    const inner = /label_values\(([^,]+),/.exec(String(query))?.[1];
    if (inner) checkPromql(inner, `variable ${String(variable.name)}`);
    assert.ok(uids.has(String(obj(variable.datasource, 'variable.datasource').uid)));
  }
  assert.ok(queries >= 15, `${queries} queries`);
  assert.deepEqual(METRIC_LIST.map((m) => m.name).filter((n) => !covered.has(n)), [], 'metrics without a panel');
  const histogram = panels.flatMap((p) => p.targets ?? []).map((t) => t.expr ?? '');
  assert.ok(histogram.some((e) => /histogram_quantile\(0\.5,.*_bucket/.test(e)) && histogram.some((e) => /histogram_quantile\(0\.95,.*_bucket/.test(e)), 'no p50/p95 of the batch duration');
});

test('the dashboard shows job traces from Tempo and links to Jaeger and to Tempo in Explore', () => {
  const uids = new Set(datasources.map((d) => String(d.uid)));
  const tracePanel = panels.find((p) => p.datasource?.uid === 'tempo' || p.datasource?.uid === 'jaeger');
  assert.ok(tracePanel?.targets?.[0]?.query, 'no traces panel');
  const links = list(dashboard.links, 'links').map((l) => str(obj(l, 'link').url, 'link.url'));
  assert.ok(links.some((u) => u.startsWith('http://localhost:16686/')), 'no Jaeger link');
  const explore = links.find((u) => u.startsWith('/explore?'));
  assert.ok(explore, 'no Explore link');
  const panes = JSON.parse(new URL(explore, 'http://grafana').searchParams.get('panes') ?? '') as Record<string, { datasource: string }>;
  for (const pane of Object.values(panes)) assert.ok(uids.has(pane.datasource));
});

// ---------------------------------------------------------------- alert rules

test('the alert rules are well formed and query only metrics the service emits', () => {
  const rules = list(yamlOf(path.join(DEPLOY, 'prometheus-alerts.yml')).groups, 'groups').flatMap((g) => list(obj(g, 'group').rules, 'rules').map((r) => obj(r, 'rule')));
  assert.ok(rules.length >= 5, `${rules.length} rules`);
  const names = new Set<string>();
  const covered = new Set<string>();
  for (const rule of rules) {
    const name = str(rule.alert, 'alert');
    assert.ok(!names.has(name), `duplicate alert ${name}`);
    names.add(name);
    assert.ok(str(obj(rule.labels, `${name}.labels`).severity, `${name} severity`));
    assert.ok(str(obj(rule.annotations, `${name}.annotations`).summary, `${name} summary`));
    if (rule.for !== undefined) assert.match(String(rule.for), /^\d+[smh]$/);
    for (const m of checkPromql(str(rule.expr, `${name}.expr`), `alert ${name}`)) covered.add(m.name);
  }
  for (const must of ['batchline.deliveries', 'batchline.callbacks', 'batchline.batch.duration', 'batchline.cost.usd', 'batchline.poll.calls']) assert.ok(covered.has(must), `no alert on ${must}`);
});

const ALERTS_FILE = path.join(DEPLOY, 'prometheus-alerts.yml');
const ALERT_TESTS_FILE = path.join(DEPLOY, 'prometheus-alerts.test.yml');

test('every alert has a unit test in which it fires and one in which it stays quiet', () => {
  const alerts = list(yamlOf(ALERTS_FILE).groups, 'groups').flatMap((g) => list(obj(g, 'group').rules, 'rules').map((r) => str(obj(r, 'rule').alert, 'alert')));
  const tests = yamlOf(ALERT_TESTS_FILE);
  assert.deepEqual(list(tests.rule_files, 'rule_files').map((f) => path.resolve(DEPLOY, String(f))), [ALERTS_FILE], 'the unit tests load other rules');
  const cases = list(tests.tests, 'tests').flatMap((t) => list(obj(t, 'test').alert_rule_test ?? [], 'alert_rule_test').map((c) => obj(c, 'alert_rule_test')));
  const expected = (c: Obj) => list(c.exp_alerts ?? [], 'exp_alerts').length;
  for (const name of alerts) {
    const mine = cases.filter((c) => c.alertname === name);
    assert.ok(mine.some((c) => expected(c) > 0), `no unit test in which ${name} fires`);
    assert.ok(mine.some((c) => expected(c) === 0), `no unit test in which ${name} stays quiet`);
  }
  assert.deepEqual(cases.map((c) => String(c.alertname)).filter((n) => !alerts.includes(n)), [], 'unit tests of alerts that do not exist');
});

/** promtool (Debian's `prometheus` package) on PATH, or undefined. */
const promtool = (process.env.PATH ?? '')
  .split(path.delimiter)
  .filter(Boolean)
  .map((dir) => path.join(dir, 'promtool'))
  .find((file) => {
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });

test(
  'promtool accepts the alert rules and their unit tests pass',
  { skip: !promtool && !process.env.CI ? 'promtool is not installed (apt-get install --no-install-recommends prometheus); .ci/run installs it and CI always runs this test' : false },
  () => {
    assert.ok(promtool, 'promtool is not on PATH: CI must run the alert rules’ unit tests (apt-get install --no-install-recommends prometheus)');
    for (const args of [['check', 'rules', ALERTS_FILE], ['test', 'rules', ALERT_TESTS_FILE]]) {
      const result: SpawnSyncReturns<string> = spawnSync(promtool, args, { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
      assert.equal(result.status, 0, `promtool ${args.join(' ')}:\n${result.stdout}${result.stderr}${result.error ? String(result.error) : ''}`);
    }
  },
);

// ---------------------------------------------------------------- Kubernetes

const kustomization = yamlOf(path.join(K8S, 'kustomization.yaml'));
const manifests = list(kustomization.resources, 'resources')
  .map(String)
  .flatMap((file) => {
    assert.ok(fs.existsSync(path.join(K8S, file)), `kustomization lists ${file}, which does not exist`);
    return parseAllDocuments(read(path.join(K8S, file))).map((d) => obj(d.toJS(), file));
  });
const manifest = (kind: string): Obj => {
  const found = manifests.filter((m) => m.kind === kind);
  assert.equal(found.length, 1, `${found.length} ${kind} manifests`);
  return found[0] as Obj;
};
const deployment = manifest('Deployment');
const podSpec = obj(obj(obj(deployment.spec, 'spec').template, 'template').spec, 'pod spec');
const podLabels = obj(obj(obj(obj(deployment.spec, 'spec').template, 'template').metadata, 'metadata').labels, 'pod labels');
const container = obj(list(podSpec.containers, 'containers')[0], 'container');
const configMapData = obj(manifest('ConfigMap').data, 'ConfigMap.data') as Env;
const secretData = obj(manifest('Secret').stringData, 'Secret.stringData') as Env;

const selects = (selector: unknown) => Object.entries(obj(selector, 'matchLabels')).every(([k, v]) => podLabels[k] === v);

test('kustomization lists every manifest in deploy/k8s, each with a kind', () => {
  const listed = new Set(list(kustomization.resources, 'resources').map(String));
  const present = fs.readdirSync(K8S).filter((f) => /\.ya?ml$/.test(f) && f !== 'kustomization.yaml');
  assert.deepEqual(present.filter((f) => !listed.has(f)), [], 'manifests not in kustomization.yaml');
  for (const m of manifests) assert.ok(m.apiVersion && m.kind && obj(m.metadata, 'metadata').name);
  for (const kind of ['ConfigMap', 'Secret', 'Deployment', 'Service', 'PodDisruptionBudget']) manifest(kind);
  const images = list(kustomization.images ?? [], 'images').map((i) => obj(i, 'image').name);
  assert.ok(images.includes(String(container.image).split(':')[0]), 'kustomization images do not target the Deployment image');
});

test('the Deployment runs several non-root, read-only replicas with health probes and a rolling update', () => {
  const spec = obj(deployment.spec, 'spec');
  assert.ok(Number(spec.replicas) >= 2, `replicas: ${String(spec.replicas)}`);
  assert.ok(selects(obj(spec.selector, 'selector').matchLabels));
  assert.equal(obj(spec.strategy, 'strategy').type, 'RollingUpdate');
  const probe = (name: string) => obj(obj(container[name], name).httpGet, `${name}.httpGet`);
  assert.equal(probe('livenessProbe').path, '/healthz');
  assert.equal(probe('readinessProbe').path, '/readyz');
  const ports = list(container.ports, 'ports').map((p) => obj(p, 'port'));
  for (const name of ['livenessProbe', 'readinessProbe']) assert.ok(ports.some((p) => p.name === probe(name).port || p.containerPort === probe(name).port));
  assert.equal(String(ports[0]?.containerPort), configMapData.PORT);

  const podSecurity = obj(podSpec.securityContext, 'pod securityContext');
  const containerSecurity = obj(container.securityContext, 'container securityContext');
  assert.equal(containerSecurity.runAsNonRoot ?? podSecurity.runAsNonRoot, true);
  assert.notEqual(containerSecurity.runAsUser ?? podSecurity.runAsUser, 0);
  assert.equal(containerSecurity.allowPrivilegeEscalation, false);
  assert.equal(containerSecurity.readOnlyRootFilesystem, true);
  // Read-only root: where the service may write (data dir, file sink roots) must be a volume.
  const mounts = list(container.volumeMounts, 'volumeMounts').map((m) => str(obj(m, 'mount').mountPath, 'mountPath'));
  const writable = (dir: string) => mounts.some((m) => dir === m || dir.startsWith(`${m}/`));
  for (const dir of [configMapData.BATCHLINE_DATA_DIR ?? '', ...(configMapData.BATCHLINE_FILE_ROOTS ?? '').split(':')]) assert.ok(writable(dir), `${dir} is not on a writable volume`);
  const resources = obj(container.resources, 'resources');
  assert.ok(obj(resources.requests, 'requests').memory && obj(resources.limits, 'limits').memory);
});

test('a terminating pod gets longer than BATCHLINE_SHUTDOWN_MS, and the PDB and Service select the pods', () => {
  const preStopSleep = Number((obj(obj(container.lifecycle ?? {}, 'lifecycle').preStop ?? {}, 'preStop').exec as { command?: string[] } | undefined)?.command?.[1] ?? 0);
  const shutdownMs = loadConfig({ ...configMapData, ...validSecrets() }).BATCHLINE_SHUTDOWN_MS;
  assert.ok(Number(podSpec.terminationGracePeriodSeconds) * 1000 > shutdownMs + preStopSleep * 1000 + 5000, 'terminationGracePeriodSeconds too short to hand leases back');
  const pdb = obj(manifest('PodDisruptionBudget').spec, 'pdb spec');
  assert.ok(selects(obj(pdb.selector, 'pdb selector').matchLabels), 'the PDB does not select the Deployment pods');
  assert.ok(pdb.maxUnavailable === 1 || Number(pdb.minAvailable) >= 2);
  const svc = obj(manifest('Service').spec, 'service spec');
  assert.ok(selects(svc.selector), 'the Service does not select the Deployment pods');
  const ports = list(container.ports, 'ports').map((p) => obj(p, 'port').name);
  for (const p of list(svc.ports, 'service ports')) assert.ok(ports.includes(obj(p, 'service port').targetPort));
});

/** The Secret with every placeholder replaced by a value of the right shape. */
function validSecrets(): Env {
  return {
    ...secretData,
    DATABASE_URL: 'postgres://batchline:pw@db.internal:5432/batchline',
    ANTHROPIC_API_KEY: 'sk-ant-test',
    BATCHLINE_API_KEYS: `${'1'.repeat(32)},${'2'.repeat(32)}`,
    BATCHLINE_SECRET_KEY: Buffer.alloc(32, 7).toString('base64'),
    WEBHOOK_SECRET: `whsec_${Buffer.alloc(24, 9).toString('base64')}`,
  };
}

test('the ConfigMap and Secret hold only variables the service reads, and the Secret’s placeholders are refused', () => {
  const envFrom = list(container.envFrom, 'envFrom').map((e) => obj(e, 'envFrom'));
  const refs = envFrom.map((e) => obj(e.configMapRef ?? e.secretRef, 'ref').name);
  assert.deepEqual(refs.sort(), [obj(manifest('ConfigMap').metadata, 'm').name, obj(manifest('Secret').metadata, 'm').name].sort());
  const env = list(container.env ?? [], 'env').map((e) => str(obj(e, 'env').name, 'env.name'));
  for (const name of [...Object.keys(configMapData), ...Object.keys(secretData), ...env]) assert.ok(isServiceVariable(name), `${name} is not read by the service`);
  for (const name of ['DATABASE_URL', 'ANTHROPIC_API_KEY', 'BATCHLINE_API_KEYS', 'BATCHLINE_SECRET_KEY', 'WEBHOOK_SECRET']) {
    assert.ok(name in secretData, `${name} is not in the Secret`);
    assert.ok(!(name in configMapData), `${name} is in the ConfigMap, in clear`);
  }
  assert.throws(() => loadConfig({ ...configMapData, ...secretData }), ConfigError, 'a replica must refuse to start on the placeholders');
  const config = loadConfig({ ...configMapData, ...validSecrets() });
  assert.equal(config.HOST, '0.0.0.0');
  assert.ok(configMapData.OTEL_EXPORTER_OTLP_ENDPOINT?.endsWith(':4318'), 'OTLP/HTTP endpoint of the collector');
  const link = traceUrl(config.BATCHLINE_TRACE_URL, '4bf92f3577b34da6a3ce929d0e0e4736');
  assert.ok(link, 'BATCHLINE_TRACE_URL does not make a link');
  const panes = JSON.parse(new URL(link).searchParams.get('panes') ?? '{}') as Record<string, { queries: Array<{ query: string }> }>;
  assert.equal(Object.values(panes)[0]?.queries[0]?.query, '4bf92f3577b34da6a3ce929d0e0e4736');
});

test('migrations need no Job: every replica applies them at start-up under an advisory lock', () => {
  assert.ok(!manifests.some((m) => m.kind === 'Job' || m.kind === 'CronJob'));
  assert.match(read(path.join(ROOT, 'src', 'db', 'migrate.ts')), /pg_advisory_xact_lock/);
  assert.match(read(path.join(K8S, 'deployment.yaml')), /advisory lock/);
  const startup = obj(container.startupProbe, 'startupProbe');
  assert.ok(Number(startup.periodSeconds) * Number(startup.failureThreshold) >= 60, 'a replica waiting for the migration lock would be killed');
});
