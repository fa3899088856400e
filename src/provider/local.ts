// Decides which Message Batches API the service talks to: the real one when ANTHROPIC_API_KEY is set,
// otherwise the built-in simulator started in-process (announced loudly: nothing is billed, answers are fake).
import type Anthropic from '@anthropic-ai/sdk';
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import { createProviderClient } from './client.ts';
import { startSimulator } from './simulator/index.ts';

export interface ProviderHandle {
  client: Anthropic;
  simulated: boolean;
  close(): Promise<void>;
}

export async function openProvider(config: Config, log: Logger): Promise<ProviderHandle> {
  if (config.ANTHROPIC_API_KEY) {
    return { client: createProviderClient({ apiKey: config.ANTHROPIC_API_KEY, baseURL: config.ANTHROPIC_BASE_URL }), simulated: false, close: async () => {} };
  }
  const sim = await startSimulator({
    processingMs: config.BATCHLINE_SIMULATOR_PROCESSING_MS,
    ...(config.BATCHLINE_SIMULATOR_ERROR_RATES ? { modelErrorRates: config.BATCHLINE_SIMULATOR_ERROR_RATES } : {}),
  });
  log.warn(
    { simulator_url: sim.url },
    '*** ANTHROPIC_API_KEY is not set: using the built-in batch SIMULATOR. Answers are synthetic and nothing is billed. Set ANTHROPIC_API_KEY to use the real Message Batches API. ***',
  );
  return { client: createProviderClient({ apiKey: 'simulator', baseURL: sim.url }), simulated: true, close: () => sim.close() };
}
