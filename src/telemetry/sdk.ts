// Starts the OpenTelemetry SDK from the standard OTEL_* variables only, before the application is loaded,
// so the HTTP server and `pg` can be instrumented. With none of them set nothing starts: the API's
// no-op tracer and meter make every span and instrument in the code cost (almost) nothing.
import { createRequire, register } from 'node:module';
import os from 'node:os';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { SERVICE_VERSION } from '../version.ts';

type Env = Record<string, string | undefined>;

// Our names plus the instrumentation's own defaults (which this list replaces).
const REDACTED_QUERY_PARAMS = ['token', 'access_token', 'api_key', 'apikey', 'key', 'secret', 'password', 'code', 'sig', 'signature', 'Signature', 'AWSAccessKeyId', 'X-Goog-Signature'];

export interface TelemetrySettings {
  traces: boolean;
  metrics: boolean;
}

function isSet(env: Env, name: string): boolean {
  const value = env[name]?.trim();
  return value !== undefined && value !== '' && value !== 'none';
}

/** Which signals the environment asks for: an OTLP endpoint turns on both, an exporter name its own signal. */
export function telemetrySettings(env: Env): TelemetrySettings {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return { traces: false, metrics: false };
  const endpoint = isSet(env, 'OTEL_EXPORTER_OTLP_ENDPOINT');
  return {
    traces: endpoint || isSet(env, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT') || isSet(env, 'OTEL_TRACES_EXPORTER'),
    metrics: endpoint || isSet(env, 'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT') || isSet(env, 'OTEL_METRICS_EXPORTER'),
  };
}

export interface Telemetry {
  settings: TelemetrySettings;
  /** Flushes what is buffered and stops exporting (the last spans of a shutdown are not lost). */
  shutdown(): Promise<void>;
}

/**
 * Call before importing the application: the module hooks only see modules loaded after them.
 * `service.instance.id` defaults to host and pid; OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES override.
 */
export async function startTelemetry(env: Env = process.env): Promise<Telemetry> {
  const settings = telemetrySettings(env);
  if (!settings.traces && !settings.metrics) return { settings, shutdown: async () => {} };
  // Loaded only when asked for: importing the SDK, its exporters and instrumentations takes ~0.3 s and
  // ~29 MB RSS (bench/RESULTS.md), which a service or CLI command with telemetry off should not pay.
  const [{ createAddHookMessageChannel }, { HttpInstrumentation }, { PgInstrumentation }, { resourceFromAttributes }, { NodeSDK }, { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION }] = await Promise.all([
    import('import-in-the-middle'),
    import('@opentelemetry/instrumentation-http'),
    import('@opentelemetry/instrumentation-pg'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/sdk-node'),
    import('@opentelemetry/semantic-conventions'),
  ]);

  const instrumentations: Instrumentation[] = settings.traces
    ? [
        new HttpInstrumentation({
          // Health probes and the dashboard's self-refresh (every few seconds per open tab) would drown
          // the traces that matter.
          ignoreIncomingRequestHook: (request) => request.url === '/healthz' || request.url === '/readyz' || /[?&]fragment=1(&|$)/.test(request.url ?? ''),
          // A token a client puts in a query string must not be exported with url.query.
          redactedQueryParamsServer: REDACTED_QUERY_PARAMS,
          redactedQueryParams: REDACTED_QUERY_PARAMS,
        }),
        // Statement text only (parameters are never recorded), so no value of a row leaves through a span.
        new PgInstrumentation({ enhancedDatabaseReporting: false, requireParentSpan: true }),
      ]
    : [];
  const { registerOptions, waitForAllMessagesAcknowledged } = createAddHookMessageChannel();
  register('import-in-the-middle/hook.mjs', import.meta.url, registerOptions);

  const sdk = new NodeSDK({
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: 'batchline',
      [ATTR_SERVICE_VERSION]: SERVICE_VERSION,
      'service.instance.id': `${os.hostname()}:${process.pid}`,
    }),
    instrumentations,
    ...(settings.traces ? {} : { spanProcessors: [] }),
    ...(settings.metrics ? {} : { metricReaders: [] }),
    // Logs go to stdout through pino, carrying trace and span ids; no OTLP log pipeline.
    logRecordProcessors: [],
  });
  sdk.start();
  await waitForAllMessagesAcknowledged();
  // Built-in modules loaded before the hooks (the SDK's own exporters use them) are patched when next
  // required: the patch is on shared prototypes, so ESM importers of node:http see it too.
  if (settings.traces) createRequire(import.meta.url)('node:http');
  return { settings, shutdown: () => withDeadline(sdk.shutdown(), SHUTDOWN_DEADLINE_MS) };
}

/** A collector that does not answer must not hold a stopping process for the exporters' 30 s timeouts. */
const SHUTDOWN_DEADLINE_MS = 5000;

function withDeadline(work: Promise<void>, ms: number): Promise<void> {
  return Promise.race([work, new Promise<void>((resolve) => setTimeout(resolve, ms).unref())]);
}
