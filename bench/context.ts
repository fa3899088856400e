// Shared set-up of the benchmark processes: the service in-process (no worker loop, no polling delays)
// against the standalone simulator, on the database named by the environment.
import { loadConfig } from '../src/config.ts';
import { silentLogger } from '../src/logger.ts';
import { createProviderClient } from '../src/provider/client.ts';
import { startService, type Service } from '../src/service.ts';

export interface BenchDatabase {
  url: string | undefined;
  dataDir: string;
}

export function startBenchService(database: BenchDatabase, simulatorUrl: string): Promise<Service> {
  const config = loadConfig({
    ...process.env,
    ...(database.url ? { DATABASE_URL: database.url } : { DATABASE_URL: '' }),
    PORT: '0',
    BATCHLINE_DATA_DIR: database.dataDir,
    BATCHLINE_FILE_ROOTS: database.dataDir,
    BATCH_MAX_REQUESTS: '100000',
    BATCHLINE_MAX_BODY_BYTES: '512MB',
    POLL_MIN_MS: '1',
    POLL_MAX_MS: '10',
    BATCHLINE_LOG_LEVEL: 'silent',
  });
  return startService(config, { log: silentLogger(), provider: createProviderClient({ apiKey: 'bench', baseURL: simulatorUrl }), worker: false });
}

export const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);
