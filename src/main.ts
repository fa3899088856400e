// Entry point of the service. Telemetry starts first, from the OTEL_* variables, and the application is
// imported only then: module hooks that instrument the HTTP server and `pg` see only later imports.
import { startTelemetry } from './telemetry/sdk.ts';

const telemetry = await startTelemetry(process.env);
const { serve } = await import('./serve.ts');
await serve(telemetry);
