// The embedded server: when BATCHLINE_URL is not set, a command starts Batchline in this process for its
// own duration — on 127.0.0.1, port 0, with exactly the defaults of loadConfig (DATABASE_URL when set, else
// PGlite in BATCHLINE_DATA_DIR or ./.batchline; the built-in simulator unless ANTHROPIC_API_KEY is set). On
// DATABASE_URL without BATCHLINE_SECRET_KEY it seals secrets with the key generated in the data dir, which
// no replica of a deployment can open. Its log goes
// to a file in the data dir so stdout stays the command's own (a progress bar, NDJSON results).
import fs from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import { ConfigError, loadConfig } from '../config.ts';
import { createLogger } from '../logger.ts';
import { startService, type Service } from '../service.ts';
import { lockDataDir, type DataDirLock } from './data-lock.ts';
import { CliError } from './errors.ts';
import { DATA_DIR_ENTRIES } from '../data-dir.ts';

export interface EmbeddedServer extends EmbeddedInfo {
  url: string;
  /** The first of BATCHLINE_API_KEYS when set (the embedded server honours them like any other). */
  token: string | undefined;
  /** Graceful stop: leases handed back, so unfinished work resumes on the next start. */
  close(): Promise<void>;
}

export interface EmbeddedOptions {
  /** Folders the user named in flags; readable by file plugins unless BATCHLINE_FILE_ROOTS is set. */
  fileRoots?: readonly string[];
  /** Name of the command, kept in the data-dir lock for a helpful message. */
  command: string;
  /** Told what is about to start, before the (few seconds of) start-up. */
  onStarting?: (info: EmbeddedInfo) => void;
}

export interface EmbeddedInfo {
  simulated: boolean;
  database: 'postgres' | 'pglite';
  dataDir: string;
  logFile: string;
}

export const EMBEDDED_LOG_FILE = DATA_DIR_ENTRIES.embeddedLog;

/** Settings an embedded run overrides or defaults; the rest is the environment, read by loadConfig. */
export function embeddedEnv(env: NodeJS.ProcessEnv, fileRoots: readonly string[], cwd: string): NodeJS.ProcessEnv {
  const defaults: Record<string, string> = {};
  // Someone is watching a progress bar: poll the provider often. The simulator ends batches in seconds;
  // the real API in minutes to hours, where a 10 s … 1 min backoff is still far below its rate limits.
  if (env.POLL_MIN_MS === undefined && env.POLL_MAX_MS === undefined) {
    Object.assign(defaults, env.ANTHROPIC_API_KEY?.trim() ? { POLL_MIN_MS: '10000', POLL_MAX_MS: '60000' } : { POLL_MIN_MS: '500', POLL_MAX_MS: '5000' });
  }
  if (env.BATCHLINE_FILE_ROOTS === undefined || env.BATCHLINE_FILE_ROOTS.trim() === '') {
    // The working directory first (relative paths in a --job file resolve against it), then what the user named.
    defaults.BATCHLINE_FILE_ROOTS = [...new Set([cwd, ...fileRoots.map((r) => path.resolve(cwd, r))])].join(':');
  }
  return { ...env, ...defaults, PORT: '0', HOST: '127.0.0.1' };
}

export async function startEmbedded(env: NodeJS.ProcessEnv, options: EmbeddedOptions): Promise<EmbeddedServer> {
  let config;
  try {
    config = loadConfig(embeddedEnv(env, options.fileRoots ?? [], process.cwd()));
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message);
    throw error;
  }
  const dataDir = path.resolve(config.BATCHLINE_DATA_DIR);
  const lock: DataDirLock | undefined = config.DATABASE_URL ? undefined : lockDataDir(dataDir, options.command);
  const logFile = path.join(dataDir, EMBEDDED_LOG_FILE);
  options.onStarting?.({ simulated: config.ANTHROPIC_API_KEY === undefined, database: config.DATABASE_URL ? 'postgres' : 'pglite', dataDir, logFile });
  let service: Service;
  try {
    fs.mkdirSync(dataDir, { recursive: true });
    // The service's logger (redaction, trace ids), as JSON lines in the file. Synchronous writes: the
    // last lines before an exit are not lost.
    const log = createLogger(config.BATCHLINE_LOG_LEVEL, 'batchline', { pretty: false, destination: pino.destination({ dest: logFile, append: true, sync: true, mkdir: true }) });
    service = await startService(config, { log });
  } catch (error) {
    lock?.release();
    throw new CliError(`the embedded server did not start: ${error instanceof Error ? error.message : String(error)} (log: ${logFile})`, { cause: error });
  }
  return {
    url: service.url,
    token: config.BATCHLINE_API_KEYS[0],
    simulated: service.provider.simulated,
    database: service.database.kind,
    dataDir,
    logFile,
    async close() {
      try {
        await service.close();
      } finally {
        lock?.release();
      }
    },
  };
}
