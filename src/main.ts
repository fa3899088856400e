// Boots the service: config → database + migrations → provider → worker + HTTP; stops gracefully on SIGTERM.
import { ConfigError, loadConfig } from './config.ts';
import { createLogger } from './logger.ts';
import { startService } from './service.ts';

async function main(): Promise<void> {
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
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal, deadline_ms: config.BATCHLINE_SHUTDOWN_MS }, 'shutting down');
    service.close().then(
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

main().catch((error: unknown) => {
  process.stderr.write(`batchline: failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
