// Every environment variable Batchline reads, in one zod schema: defaults, docs, and one-line errors.
import { z } from 'zod';
import { isIP } from 'node:net';
import path from 'node:path';
import { parseSecretKey, parseSecretKeyList } from './secrets/key.ts';
import { parseMinPrefixOverrides, type MinPrefixOverrides } from './provider/prompt-cache-rules.ts';
import { fileRoots, type FileRoots } from './plugins/paths.ts';
import { deniedToPlugins } from './data-dir.ts';
import { notASecret, weakApiKey } from './secret-values.ts';
import { hostNameOf, isLoopbackName } from './loopback.ts';

const MB = 1024 * 1024;

const intFrom = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(min).max(max);

/** "256 MB", "64mb", "1048576" → bytes. */
const byteSize = z.string().transform((raw, ctx) => {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|k|mb|m|gb|g)?\s*$/i.exec(raw);
  if (!m || m[1] === undefined) {
    ctx.addIssue({ code: 'custom', message: `"${raw}" is not a size (e.g. 256MB or 1048576)` });
    return z.NEVER;
  }
  const unit = (m[2] ?? 'b').toLowerCase()[0];
  const factor = unit === 'k' ? 1024 : unit === 'm' ? MB : unit === 'g' ? 1024 * MB : 1;
  return Math.floor(Number(m[1]) * factor);
});

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const commaList = z
  .string()
  .optional()
  .transform((v) => (v ?? '').split(',').map((s) => s.trim()).filter(Boolean));

/** Points in the lifecycle where tests may ask the process to die (kill -9 on itself). */
export const CRASH_POINTS = ['after_batch_create', 'after_batch_recorded', 'in_progress', 'after_collect_chunk', 'after_delivery_write', 'after_source_chunk', 'in_delete_sweep'] as const;
export type CrashPoint = (typeof CRASH_POINTS)[number];

export const configSchema = z
  .object({
    PORT: intFrom(0, 65535).default(8080),
    HOST: z.string().min(1).default('127.0.0.1'),
    DATABASE_URL: optionalString.pipe(
      z.string().regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://').optional(),
    ),
    BATCHLINE_DATA_DIR: z.string().min(1).default('./.batchline'),
    ANTHROPIC_API_KEY: optionalString,
    ANTHROPIC_BASE_URL: optionalString.pipe(z.url('must be a URL').optional()),
    BATCHLINE_API_KEYS: commaList,
    /** Space-separated: every listed secret is accepted, so a secret can be rotated without downtime. */
    WEBHOOK_SECRET: z
      .string()
      .optional()
      .transform((v) => (v ?? '').split(/\s+/).filter(Boolean))
      .pipe(z.array(z.string().regex(/^whsec_[A-Za-z0-9+/=]{16,}$/, 'each secret must look like whsec_<base64>'))),
    BATCHLINE_SECRET_KEY: optionalString.refine((v) => v === undefined || parseSecretKey(v) !== undefined, 'must be 32 bytes, base64 or hex'),
    /** Space- or comma-separated keys that still open secrets sealed under them, never seal: for rotating BATCHLINE_SECRET_KEY. */
    BATCHLINE_SECRET_KEY_FALLBACKS: z
      .string()
      .optional()
      .refine((v) => v === undefined || parseSecretKeyList(v) !== undefined, 'each key must be 32 bytes, base64 or hex')
      .transform((v) => (v ?? '').split(/[\s,]+/).filter(Boolean)),
    BATCH_MAX_REQUESTS: intFrom(1, 100_000).default(100_000),
    BATCH_MAX_BYTES: byteSize.pipe(z.number().int().min(1024, 'must be at least 1 KB').max(256 * MB, 'must be at most 256 MB')).default(256 * MB),
    POLL_MIN_MS: intFrom(1).default(30_000),
    POLL_MAX_MS: intFrom(1).default(600_000),
    /**
     * The short schedule of looks after an answer expected to clear in seconds (a 404 for an id the API gave,
     * a results stream that failed or has no results_url yet, a 5xx or 429 on a status read): from this,
     * doubling with jitter, up to BATCHLINE_RECHECK_MAX_MS, and never slower than a poll would be
     * (docs/architecture.md, "Looks again: two schedules").
     */
    BATCHLINE_RECHECK_MIN_MS: intFrom(1).default(2_000),
    BATCHLINE_RECHECK_MAX_MS: intFrom(1).default(60_000),
    MAX_ATTEMPTS: intFrom(1, 100).default(3),
    BATCHLINE_FILE_ROOTS: z.string().optional(),
    BATCHLINE_PLUGINS: commaList,
    BATCHLINE_TRACE_URL: optionalString,
    BATCHLINE_URL: optionalString.pipe(z.url('must be a URL').optional()),
    BATCHLINE_TOKEN: optionalString,
    /**
     * Addresses or CIDRs of the proxies in front (an ingress, a load balancer) whose X-Forwarded-For is
     * believed: rate limits and the guess budget then key on the client they saw, not on the proxy.
     */
    BATCHLINE_TRUSTED_PROXIES: commaList.pipe(z.array(z.string().refine(isAddressOrCidr, 'each entry must be an IP address or a CIDR such as 10.0.0.0/8'))),
    BATCHLINE_RATE_LIMIT_RPS: intFrom(0).default(50),
    BATCHLINE_RATE_LIMIT_BURST: intFrom(1).default(200),
    BATCHLINE_REQUEST_TIMEOUT_MS: intFrom(100).default(30_000),
    BATCHLINE_MAX_BODY_BYTES: byteSize.pipe(z.number().int().min(1024)).default(64 * MB),
    BATCHLINE_WORKER_CONCURRENCY: intFrom(1, 64).default(4),
    BATCHLINE_LEASE_MS: intFrom(1000).default(60_000),
    /**
     * How long after a create call can no longer be sending the provider may still make its batch visible:
     * it stores the body it received, then lists it (propagation seen to take up to ~40 s, reference §12).
     * Until then a batch whose create was cut off is never sent again.
     */
    BATCHLINE_CREATE_SETTLE_MS: intFrom(0).default(45_000),
    BATCHLINE_SHUTDOWN_MS: intFrom(0).default(10_000),
    BATCHLINE_IDLE_MS: intFrom(10, 60_000).default(500),
    BATCHLINE_COLLECT_CHUNK: intFrom(1, 10_000).default(2000),
    /** While a job's source is still read, a batch is cut once this many items wait (after the read: up to the provider limits). */
    BATCHLINE_BATCH_CUT_REQUESTS: intFrom(1, 100_000).default(10_000),
    /** …or once the oldest waiting item has waited this long, so a slow source still starts work. */
    BATCHLINE_BATCH_CUT_MS: intFrom(0).default(5000),
    BATCHLINE_SINK_CONCURRENCY: intFrom(1, 64).default(2),
    BATCHLINE_DELIVERY_BATCH: intFrom(1, 10_000).default(2000),
    BATCHLINE_DELIVERY_MAX_ATTEMPTS: intFrom(1, 1000).default(10),
    BATCHLINE_LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
    BATCHLINE_SIMULATOR_PROCESSING_MS: intFrom(0).default(2000),
    /** The built-in simulator's per-model error rates, JSON `{"claude-haiku-5-5": 0.2}` (experiments in demos and tests). */
    BATCHLINE_SIMULATOR_ERROR_RATES: optionalString
      .transform((raw, ctx) => {
        if (raw === undefined) return undefined;
        try {
          return JSON.parse(raw) as unknown;
        } catch {
          ctx.addIssue({ code: 'custom', message: 'must be JSON, e.g. {"claude-haiku-5-5": 0.2}' });
          return z.NEVER;
        }
      })
      .pipe(z.record(z.string().min(1), z.number().min(0, 'rates are 0..1').max(1, 'rates are 0..1')).optional()),
    /** The result cache for jobs that do not say (`cache` on the job): off unless asked for. */
    BATCHLINE_RESULT_CACHE: z.enum(['on', 'off']).default('off'),
    BATCHLINE_RESULT_CACHE_TTL_HOURS: z.coerce.number({ error: 'must be a number' }).positive('must be above 0').max(24 * 365 * 10).default(168),
    /** Budget of jobs that do not set max_usd (USD at batch price); unset = no budget. */
    BATCHLINE_DEFAULT_MAX_USD: optionalString.pipe(z.string().regex(/^\d+(\.\d+)?$/, 'must be a number of USD, e.g. 25 or 2.50').transform(Number).pipe(z.number().positive('must be above 0')).optional()),
    /**
     * A batch the provider gave an id for but answers 404 about is declared gone only after it has been
     * invisible this long without a break, in at least BATCHLINE_UNCONFIRMED_MIN_LOOKS looks, and
     * batches.list does not show it either (docs/architecture.md, "A provider id is a promise").
     */
    BATCHLINE_UNCONFIRMED_WINDOW_MS: intFrom(0).default(30 * 60_000),
    BATCHLINE_UNCONFIRMED_MIN_LOOKS: intFrom(1, 1000).default(5),
    /** Minimum cacheable prefix by model, over the published table: `model=tokens,prefix*=tokens,*=tokens`. */
    BATCHLINE_CACHE_MIN_TOKENS: z
      .string()
      .optional()
      .transform((raw, ctx): MinPrefixOverrides => {
        const parsed = parseMinPrefixOverrides(raw ?? '');
        if (parsed.ok) return parsed.overrides;
        ctx.addIssue({ code: 'custom', message: parsed.message });
        return z.NEVER;
      }),
    /** Share of a batch's requests expected to read a cached prefix before any job of the task has shown its own (best effort in batches). */
    BATCHLINE_PROMPT_CACHE_HIT_RATE: z.coerce.number({ error: 'must be a number' }).min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1').default(0.5),
    /**
     * Days after a job finished that its document text, answers and delivery payloads are kept; the job's
     * summary (counts, usage, cost) stays. Unset = kept until the job is deleted. A job's `retention_days` wins.
     */
    BATCHLINE_RETENTION_DAYS: optionalString.pipe(z.string().regex(/^\d+(\.\d+)?$/, 'must be a number of days, 0 or more (e.g. 30 or 0.5)').transform(Number).pipe(z.number().max(36_500, 'must be at most 36500')).optional()),
    /** `after_collect`: delete each provider batch once its results are stored; `keep`: leave it to the provider's 29 days. */
    /**
     * `until_final`: an item's text (and inline attachments) is dropped once the item succeeded or was
     * canceled, since nothing will send it again; `until_retention`: kept until retention or delete.
     * Failed items keep theirs either way (a retry needs the prompt). docs/architecture.md, "Data lifecycle".
     */
    BATCHLINE_TEXT_AT_REST: z.enum(['until_final', 'until_retention']).default('until_final'),
    BATCHLINE_PROVIDER_CLEANUP: z.enum(['keep', 'after_collect']).default('keep'),
    /** How often the lifecycle sweep (deletes, retention, provider clean-up) looks for work, on one replica at a time. */
    BATCHLINE_SWEEP_INTERVAL_MS: intFrom(10, 3_600_000).default(10_000),
    /** Rows the sweep changes per transaction: short transactions keep it off the hot path. */
    BATCHLINE_SWEEP_CHUNK: intFrom(1, 100_000).default(1000),
    BATCHLINE_CRASH_AT: optionalString.pipe(z.enum(CRASH_POINTS).optional()),
  })
  .superRefine((c, ctx) => {
    refuseNonSecrets(c, ctx);
    if (c.POLL_MIN_MS > c.POLL_MAX_MS) {
      ctx.addIssue({ code: 'custom', path: ['POLL_MIN_MS'], message: `must not exceed POLL_MAX_MS (${c.POLL_MAX_MS})` });
    }
    if (c.BATCHLINE_RECHECK_MIN_MS > c.BATCHLINE_RECHECK_MAX_MS) {
      ctx.addIssue({ code: 'custom', path: ['BATCHLINE_RECHECK_MIN_MS'], message: `must not exceed BATCHLINE_RECHECK_MAX_MS (${c.BATCHLINE_RECHECK_MAX_MS})` });
    }
    if (c.BATCHLINE_SECRET_KEY_FALLBACKS.length > 0 && c.BATCHLINE_SECRET_KEY === undefined) {
      ctx.addIssue({ code: 'custom', path: ['BATCHLINE_SECRET_KEY_FALLBACKS'], message: 'needs BATCHLINE_SECRET_KEY: fallbacks only open secrets, the current key seals them' });
    }
    if (c.BATCHLINE_API_KEYS.length === 0 && !isLoopbackName(hostNameOf(c.HOST))) {
      ctx.addIssue({ code: 'custom', path: ['HOST'], message: `"${c.HOST}" is not a loopback address; set BATCHLINE_API_KEYS to listen on it` });
    }
  });

/**
 * A placeholder or a published development value is refused wherever a secret goes, and an API key must
 * be long enough to be one: a replica that starts on them runs with a key everyone knows (issue #29).
 * The message names the variable, never the value.
 */
function refuseNonSecrets(c: z.output<typeof configSchema>, ctx: z.RefinementCtx): void {
  c.BATCHLINE_API_KEYS.forEach((key, i) => {
    const weak = weakApiKey(key);
    if (weak) ctx.addIssue({ code: 'custom', path: ['BATCHLINE_API_KEYS'], message: `key ${i + 1} ${weak}` });
  });
  const secrets: Array<[string, readonly (string | undefined)[]]> = [
    ['DATABASE_URL', [c.DATABASE_URL]],
    ['ANTHROPIC_API_KEY', [c.ANTHROPIC_API_KEY]],
    ['BATCHLINE_SECRET_KEY', [c.BATCHLINE_SECRET_KEY]],
    ['BATCHLINE_SECRET_KEY_FALLBACKS', c.BATCHLINE_SECRET_KEY_FALLBACKS],
    ['WEBHOOK_SECRET', c.WEBHOOK_SECRET],
    ['BATCHLINE_TOKEN', [c.BATCHLINE_TOKEN]],
  ];
  for (const [name, values] of secrets) {
    for (const value of values) {
      const why = value === undefined ? undefined : notASecret(value);
      if (why) ctx.addIssue({ code: 'custom', path: [name], message: why });
    }
  }
}

/** The name of every environment variable the service reads (deploy/ manifests are checked against it). */
export const CONFIG_KEYS: readonly string[] = Object.freeze(Object.keys(configSchema.shape));

export type Config = Readonly<
  Omit<z.output<typeof configSchema>, 'BATCHLINE_FILE_ROOTS'> & { BATCHLINE_FILE_ROOTS: FileRoots }
>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function isAddressOrCidr(entry: string): boolean {
  const [address = '', prefix, extra] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || extra !== undefined) return false;
  return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 6 ? 128 : 32));
}

/** Parses the environment once; a bad value throws a ConfigError whose message is one line. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue?.path[0] ?? 'environment');
    // Never echo the value itself: it may be a secret.
    throw new ConfigError(`invalid environment variable ${name}: ${issue?.message ?? 'invalid'}`);
  }
  const roots = (parsed.data.BATCHLINE_FILE_ROOTS ?? process.cwd())
    .split(':')
    .filter(Boolean)
    .map((p) => path.resolve(p));
  // The data directory holds the generated secret key and the embedded database: inside the default root
  // (the working directory), and never for plugins to read or write.
  return Object.freeze({ ...parsed.data, BATCHLINE_FILE_ROOTS: fileRoots(roots, deniedToPlugins(parsed.data.BATCHLINE_DATA_DIR, roots)) });
}
