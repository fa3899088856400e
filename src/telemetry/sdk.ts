// Starts the OpenTelemetry SDK from the standard OTEL_* variables only, before the application is loaded,
// so the HTTP server and `pg` can be instrumented. With none of them set nothing starts: the API's
// no-op tracer and meter make every span and instrument in the code cost (almost) nothing.
import { createRequire, register } from 'node:module';
import os from 'node:os';
import { createAddHookMessageChannel } from 'import-in-the-middle';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { SERVICE_VERSION } from '../version.ts';

type Env = Record<string, string | undefined>;

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

  const instrumentations: Instrumentation[] = settings.traces
    ? [
        new HttpInstrumentation({
          // Health probes every few seconds would drown the traces that matter.
          ignoreIncomingRequestHook: (request) => request.url === '/healthz' || request.url === '/readyz',
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
  return { settings, shutdown: () => sdk.shutdown() };
}
