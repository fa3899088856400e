// Where a command sends its requests: the server at BATCHLINE_URL, or an embedded one started for the
// duration of the command.
import { createApi, type FullApi } from './api.ts';
import type { EmbeddedInfo, EmbeddedServer } from './embedded.ts';
import { readCliEnv } from './env.ts';

const TELEMETRY_FLUSH_MS = 2000;

export interface Session {
  api: FullApi;
  /** Set when this command runs its own server. */
  embedded: EmbeddedServer | undefined;
  close(): Promise<void>;
}

export interface SessionOptions {
  command: string;
  /** Folders named in flags: the embedded server may read and write there (remote servers decide for themselves). */
  fileRoots?: readonly string[];
  /** Called before an embedded server starts (a command that shows progress says what runs). */
  onEmbedded?: (info: EmbeddedInfo) => void;
}

export async function openSession(env: NodeJS.ProcessEnv, options: SessionOptions): Promise<Session> {
  const { url, token } = readCliEnv(env);
  if (url) return { api: createApi({ baseUrl: url, token, origin: 'BATCHLINE_URL' }), embedded: undefined, close: async () => {} };
  // As src/main.ts does: telemetry (from OTEL_*; nothing when unset) starts before the service's modules
  // load, so its hooks see the HTTP server and `pg`. Loaded only here: a command talking to a remote
  // server never loads the service and its drivers.
  const { startTelemetry } = await import('../telemetry/sdk.ts');
  const telemetry = await startTelemetry(env);
  let embedded: EmbeddedServer;
  try {
    const { startEmbedded } = await import('./embedded.ts');
    embedded = await startEmbedded(env, { command: options.command, fileRoots: options.fileRoots ?? [], ...(options.onEmbedded ? { onStarting: options.onEmbedded } : {}) });
  } catch (error) {
    await telemetry.shutdown().catch(() => {});
    throw error;
  }
  return {
    api: createApi({ baseUrl: embedded.url, token: embedded.token, origin: 'the embedded server' }),
    embedded,
    async close() {
      try {
        await embedded.close();
      } finally {
        // The last spans of the run are flushed; an unreachable collector is neither the command's failure
        // nor worth more than a short wait after the result is shown.
        await Promise.race([telemetry.shutdown().catch(() => {}), new Promise((resolve) => setTimeout(resolve, TELEMETRY_FLUSH_MS).unref())]);
      }
    },
  };
}

/** Runs `work` in a session and always closes it (the embedded server stops gracefully). */
export async function withSession<T>(env: NodeJS.ProcessEnv, options: SessionOptions, work: (session: Session) => Promise<T>): Promise<T> {
  const session = await openSession(env, options);
  try {
    return await work(session);
  } finally {
    await session.close();
  }
}
