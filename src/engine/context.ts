// What every engine step is handed: the database, the provider client, config, and who this worker is.
import type Anthropic from '@anthropic-ai/sdk';
import type { Kysely } from 'kysely';
import type { Config, CrashPoint } from '../config.ts';
import type { DB } from '../db/types.ts';
import type { Logger } from '../logger.ts';
import type { SinkRegistry, SourceRegistry } from '../plugins/registry.ts';
import type { SecretKeys } from '../secrets/key.ts';

export interface EngineContext {
  db: Kysely<DB>;
  provider: Anthropic;
  config: Config;
  /** Lease owner name of this process: host, pid and a random part. */
  owner: string;
  /** This installation's tag, part of every custom_id. */
  tag: string;
  log: Logger;
  sinks: SinkRegistry;
  sources: SourceRegistry;
  /** Seal and open secret config fields: BATCHLINE_SECRET_KEY, and its fallbacks for opening only. */
  secretKey: SecretKeys;
  /** Test hook: dies on the spot (SIGKILL) when the configured crash point is reached. */
  crashPoint(point: CrashPoint): void;
  /** Tells the worker loop there is new work, so it does not wait for its idle tick. */
  wake(): void;
}

export function crashAt(configured: CrashPoint | undefined): (point: CrashPoint) => void {
  return (point) => {
    if (configured === point) {
      process.stderr.write(`batchline: crash point ${point} reached, killing the process\n`);
      process.kill(process.pid, 'SIGKILL');
    }
  };
}
