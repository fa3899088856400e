// What the HTTP layer needs from the rest of the service, handed in at start (tests hand in their own).
import type Anthropic from '@anthropic-ai/sdk';
import type { Kysely } from 'kysely';
import type { Config } from '../config.ts';
import type { DB } from '../db/types.ts';
import type { Logger } from '../logger.ts';
import type { SinkRegistry, SourceRegistry } from '../plugins/registry.ts';
import type { SecretKeys } from '../secrets/key.ts';
import type { Counters } from '../telemetry/counters.ts';

export interface AppDeps {
  db: Kysely<DB>;
  /** The provider client: dry runs measure a sample with count_tokens. */
  provider: Anthropic;
  config: Config;
  sinks: SinkRegistry;
  sources: SourceRegistry;
  secretKey: SecretKeys;
  tag: string;
  counters: Counters;
  log: Logger;
  wake(): void;
  /** Readiness: database reachable and migrations applied; returns a reason when not ready. */
  notReadyReason(): Promise<string | undefined>;
}
