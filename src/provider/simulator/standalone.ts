// Runs the simulator as its own process, configured from SIMULATOR_* environment variables (read once here).
import { z } from 'zod';
import { parseFaults } from './faults-schema.ts';
import { parseModelErrorRates } from './model-errors.ts';
import { parseNotify } from './notify-schema.ts';
import { parseMinPrefixOverrides, type MinPrefixOverrides } from '../prompt-cache-rules.ts';
import { startSimulator } from './server.ts';
import type { NotifyOptions, SimulatorFaults } from './types.ts';

const blankAsUnset = (value: unknown): unknown => (value === '' ? undefined : value);

const envSchema = z.object({
  SIMULATOR_PORT: z.preprocess(blankAsUnset, z.coerce.number().int().min(0).max(65535).default(0)),
  SIMULATOR_HOST: z.preprocess(blankAsUnset, z.string().default('127.0.0.1')),
  SIMULATOR_PROCESSING_MS: z.preprocess(blankAsUnset, z.coerce.number().min(0).default(0)),
  SIMULATOR_FAULTS: z.preprocess(blankAsUnset, z.string().optional()),
  SIMULATOR_API_KEY: z.preprocess(blankAsUnset, z.string().optional()),
  SIMULATOR_NOTIFY_URL: z.preprocess(blankAsUnset, z.string().optional()),
  SIMULATOR_NOTIFY_SECRET: z.preprocess(blankAsUnset, z.string().optional()),
  SIMULATOR_NOTIFY_DELAY_MS: z.preprocess(blankAsUnset, z.coerce.number().min(0).optional()),
  /** Minimum cacheable prefix by model, over the published table: `model=tokens,prefix*=tokens,*=tokens`. */
  SIMULATOR_CACHE_MIN_TOKENS: z.preprocess(blankAsUnset, z.string().optional()),
  /** Share of requests with a cached prefix that read it (best effort inside a batch). */
  SIMULATOR_CACHE_HIT_RATE: z.preprocess(blankAsUnset, z.coerce.number().min(0).max(1).optional()),
  SIMULATOR_MODEL_ERROR_RATES: z.preprocess(blankAsUnset, z.string().optional()),
});

function fail(message: string): never {
  console.error(`simulator: ${message}`);
  process.exit(1);
}

const parsedEnv = envSchema.safeParse(process.env);
if (!parsedEnv.success) fail(parsedEnv.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
const env = Object.freeze(parsedEnv.data);

let faults: SimulatorFaults = {};
if (env.SIMULATOR_FAULTS !== undefined) {
  let raw: unknown;
  try {
    raw = JSON.parse(env.SIMULATOR_FAULTS);
  } catch (error) {
    fail(`SIMULATOR_FAULTS is not JSON: ${(error as Error).message}`);
  }
  const parsed = parseFaults(raw);
  if (!parsed.ok) fail(`SIMULATOR_FAULTS: ${parsed.message}`);
  faults = parsed.faults;
}

// {"claude-haiku-5-5": 0.2, "*": 0.05}: the share of built-in task answer fields each model gets wrong.
let modelErrorRates: Record<string, number> | undefined;
if (env.SIMULATOR_MODEL_ERROR_RATES !== undefined) {
  let raw: unknown;
  try {
    raw = JSON.parse(env.SIMULATOR_MODEL_ERROR_RATES);
  } catch (error) {
    fail(`SIMULATOR_MODEL_ERROR_RATES is not JSON: ${(error as Error).message}`);
  }
  const parsed = parseModelErrorRates(raw);
  if (!parsed.ok) fail(`SIMULATOR_MODEL_ERROR_RATES: ${parsed.message}`);
  modelErrorRates = parsed.rates;
}

let notify: NotifyOptions | undefined;
// Either variable set turns the notifier on, so a forgotten secret or URL fails loudly instead of sending nothing.
if (env.SIMULATOR_NOTIFY_URL !== undefined || env.SIMULATOR_NOTIFY_SECRET !== undefined) {
  const parsed = parseNotify({
    url: env.SIMULATOR_NOTIFY_URL,
    secret: env.SIMULATOR_NOTIFY_SECRET,
    delayMs: env.SIMULATOR_NOTIFY_DELAY_MS,
  });
  if (!parsed.ok) fail(`SIMULATOR_NOTIFY_*: ${parsed.message}`);
  notify = parsed.notify ?? undefined;
}

let minTokens: MinPrefixOverrides = [];
if (env.SIMULATOR_CACHE_MIN_TOKENS !== undefined) {
  const parsed = parseMinPrefixOverrides(env.SIMULATOR_CACHE_MIN_TOKENS);
  if (!parsed.ok) fail(`SIMULATOR_CACHE_MIN_TOKENS: ${parsed.message}`);
  minTokens = parsed.overrides;
}

const sim = await startSimulator({
  host: env.SIMULATOR_HOST,
  port: env.SIMULATOR_PORT,
  processingMs: env.SIMULATOR_PROCESSING_MS,
  faults,
  promptCache: { minTokens, ...(env.SIMULATOR_CACHE_HIT_RATE !== undefined ? { hitRate: env.SIMULATOR_CACHE_HIT_RATE } : {}) },
  ...(env.SIMULATOR_API_KEY !== undefined ? { apiKey: env.SIMULATOR_API_KEY } : {}),
  ...(notify !== undefined ? { notify } : {}),
  ...(modelErrorRates !== undefined ? { modelErrorRates } : {}),
});
console.log(`simulator listening on ${sim.url}`);

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    sim.close().then(
      () => process.exit(0),
      (error: unknown) => fail(`close failed: ${String(error)}`),
    );
  });
}
