// The one way Batchline talks to the Message Batches API: the official SDK, pointed at the real API or the simulator.
import Anthropic from '@anthropic-ai/sdk';
import { fetchWithFileBodies } from './file-body-fetch.ts';

export interface ProviderOptions {
  apiKey: string;
  baseURL?: string | undefined;
}

export function createProviderClient(options: ProviderOptions): Anthropic {
  return new Anthropic({
    apiKey: options.apiKey,
    ...(options.baseURL ? { baseURL: options.baseURL } : {}),
    // The SDK retries 408/409/429/5xx with retry-after itself; batches.create opts out per call (see submit).
    maxRetries: 2,
    timeout: 10 * 60 * 1000,
    // A spooled create body goes from disk at the socket's pace (file-body-fetch.ts); the rest is fetch.
    fetch: fetchWithFileBodies,
  });
}
