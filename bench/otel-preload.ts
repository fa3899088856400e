// Loaded with `--import` before a bench phase when BENCH_TRACING is on: starts the OpenTelemetry SDK
// exactly as src/main.ts does (OTEL_* variables), so the phase runs with tracing and metrics exported.
import { startTelemetry } from '../src/telemetry/sdk.ts';

const telemetry = await startTelemetry(process.env);
if (!telemetry.settings.traces) throw new Error('otel-preload: no OTEL_* exporter configured');
process.once('beforeExit', () => void telemetry.shutdown());
