// Boots the service: config → database + migrations → provider → worker + HTTP; stops gracefully on
// SIGTERM, flushing the last spans and metrics before the process exits.
import { ConfigError, loadConfig } from './config.ts';
import { createLogger } from './logger.ts';
import { startService } from './service.ts';
import type { Telemetry } from './telemetry/sdk.ts';

export async function serve(telemetry: Telemetry): Promise<void> {
  try {
    await run(telemetry);
  } catch (error) {
    process.stderr.write(`batchline: failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
    await telemetry.shutdown().catch(() => {});
    process.exit(1);
  }
}

async function run(telemetry: Telemetry): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`batchline: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const log = createLogger(config.BATCHLINE_LOG_LEVEL);
  const service = await startService(config, { log });
  if (telemetry.settings.traces || telemetry.settings.metrics) log.info({ traces: telemetry.settings.traces, metrics: telemetry.settings.metrics }, 'OpenTelemetry export on');
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal, deadline_ms: config.BATCHLINE_SHUTDOWN_MS }, 'shutting down');
    service
      .close()
      .then(() => telemetry.shutdown().catch((error: unknown) => log.warn({ err: error }, 'telemetry flush failed')))
      .then(
        () => process.exit(0),
        (error: unknown) => {
          log.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}
