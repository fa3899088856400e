// Assembles a running Batchline: database + migrations → provider → plugins → worker → HTTP server.
// main.ts, the CLI and the integration tests all start the service through here.
import { serve, type ServerType } from '@hono/node-server';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { AddressInfo } from 'node:net';
import type Anthropic from '@anthropic-ai/sdk';
import type { Config } from './config.ts';
import { openDatabase, type Database } from './db/connect.ts';
import { migrate, pendingMigrations } from './db/migrate.ts';
import { installationTag } from './db/installation.ts';
import { crashAt, type EngineContext } from './engine/context.ts';
import { createApp } from './http/app.ts';
import { createLogger, type Logger } from './logger.ts';
import { loadPlugins } from './plugins/load.ts';
import { openProvider, type ProviderHandle } from './provider/local.ts';
import { startWorker, type Worker } from './worker/loop.ts';
import { createCounters, type Counters } from './telemetry/counters.ts';
import { observeStateGauges } from './telemetry/metrics.ts';
import { loadSecretKeys } from './secrets/key.ts';

export interface Service {
  url: string;
  port: number;
  database: Database;
  engine: EngineContext;
  worker: Worker;
  provider: ProviderHandle;
  counters: Counters;
  /** Graceful stop: no new claims, leases handed back, server and database closed. */
  close(): Promise<void>;
}

export interface ServiceOptions {
  log?: Logger;
  /** Use this provider client instead of deciding from the environment (tests point it at a simulator). */
  provider?: Anthropic;
  /** Start the worker loop (default true); tests may drive ticks themselves. */
  worker?: boolean;
}

export async function startService(config: Config, options: ServiceOptions = {}): Promise<Service> {
  const log = options.log ?? createLogger(config.BATCHLINE_LOG_LEVEL);
  const database = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.BATCHLINE_DATA_DIR });
  let server: ServerType | undefined;
  let provider: ProviderHandle | undefined;
  try {
    const applied = await migrate(database.db);
    if (applied.length > 0) log.info({ migrations: applied }, 'migrations applied');
    const tag = await installationTag(database.db);

    provider = options.provider
      ? { client: options.provider, simulated: false, close: async () => {} }
      : await openProvider(config, log);

    const plugins = await loadPlugins(config.BATCHLINE_PLUGINS);
    if (config.BATCHLINE_PLUGINS.length > 0) log.info({ packages: config.BATCHLINE_PLUGINS }, 'third-party plugins loaded');

    let wakeWorker = () => {};
    const engine: EngineContext = {
      db: database.db,
      provider: provider.client,
      config,
      owner: `${os.hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`,
      tag,
      log,
      sinks: plugins.sinks,
      sources: plugins.sources,
      secretKey: loadSecretKeys(config.BATCHLINE_SECRET_KEY, config.BATCHLINE_SECRET_KEY_FALLBACKS, config.BATCHLINE_DATA_DIR, log),
      crashPoint: crashAt(config.BATCHLINE_CRASH_AT),
      wake: () => wakeWorker(),
    };
    const worker = startWorker(engine, { autostart: options.worker !== false });
    wakeWorker = worker.wake;

    const counters = createCounters();
    const stopGauges = observeStateGauges(database.db, { log });
    const app = createApp({
      db: database.db,
      provider: provider.client,
      counters,
      config,
      sinks: engine.sinks,
      sources: engine.sources,
      secretKey: engine.secretKey,
      tag,
      log,
      wake: engine.wake,
      notReadyReason: async () => {
        try {
          const pending = await pendingMigrations(database.db);
          return pending.length > 0 ? `migrations not applied: ${pending.join(', ')}` : undefined;
        } catch {
          return 'database unreachable';
        }
      },
    });
    const started = await new Promise<ServerType>((resolve, reject) => {
      const s = serve({ fetch: app.fetch, port: config.PORT, hostname: config.HOST }, () => resolve(s));
      // A taken port is a start-up error with one clear line, not an unhandled 'error' event.
      s.once('error', (error: NodeJS.ErrnoException) => reject(new Error(error.code === 'EADDRINUSE' ? `port ${config.PORT} on ${config.HOST} is already in use` : error.message)));
    });
    server = started;
    const port = (started.address() as AddressInfo).port;
    const host = config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST;
    const url = `http://${host}:${port}`;
    log.info({ url, database: database.kind, simulated: provider.simulated }, 'batchline listening');

    const handle = provider;
    let closing: Promise<void> | undefined;
    return {
      url,
      port,
      database,
      engine,
      worker,
      provider: handle,
      counters,
      close() {
        closing ??= (async () => {
          await new Promise<void>((resolve) => started.close(() => resolve()));
          await worker.stop(config.BATCHLINE_SHUTDOWN_MS);
          stopGauges();
          await handle.close();
          await database.close();
        })();
        return closing;
      },
    };
  } catch (error) {
    server?.close();
    await provider?.close();
    await database.close();
    throw error;
  }
}

