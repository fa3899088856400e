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

// What each variable means is in CONFIG_DOCS below the schema; docs/configuration.md is generated from both
// (scripts/env-table.ts), and test/config-docs.test.ts fails when a variable has no description.
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
    WEBHOOK_SECRET: z
      .string()
      .optional()
      .transform((v) => (v ?? '').split(/\s+/).filter(Boolean))
      .pipe(z.array(z.string().regex(/^whsec_[A-Za-z0-9+/=]{16,}$/, 'each secret must look like whsec_<base64>'))),
    BATCHLINE_SECRET_KEY: optionalString.refine((v) => v === undefined || parseSecretKey(v) !== undefined, 'must be 32 bytes, base64 or hex'),
    BATCHLINE_SECRET_KEY_FALLBACKS: z
      .string()
      .optional()
      .refine((v) => v === undefined || parseSecretKeyList(v) !== undefined, 'each key must be 32 bytes, base64 or hex')
      .transform((v) => (v ?? '').split(/[\s,]+/).filter(Boolean)),
    BATCH_MAX_REQUESTS: intFrom(1, 100_000).default(100_000),
    BATCH_MAX_BYTES: byteSize.pipe(z.number().int().min(1024, 'must be at least 1 KB').max(256 * MB, 'must be at most 256 MB')).default(256 * MB),
    POLL_MIN_MS: intFrom(1).default(30_000),
    POLL_MAX_MS: intFrom(1).default(600_000),
    BATCHLINE_RECHECK_MIN_MS: intFrom(1).default(2_000),
    BATCHLINE_RECHECK_MAX_MS: intFrom(1).default(60_000),
    MAX_ATTEMPTS: intFrom(1, 100).default(3),
    BATCHLINE_FILE_ROOTS: z.string().optional(),
    BATCHLINE_PLUGINS: commaList,
    BATCHLINE_TRACE_URL: optionalString,
    BATCHLINE_URL: optionalString.pipe(z.url('must be a URL').optional()),
    BATCHLINE_TOKEN: optionalString,
    BATCHLINE_TRUSTED_PROXIES: commaList.pipe(z.array(z.string().refine(isAddressOrCidr, 'each entry must be an IP address or a CIDR such as 10.0.0.0/8'))),
    BATCHLINE_RATE_LIMIT_RPS: intFrom(0).default(50),
    BATCHLINE_RATE_LIMIT_BURST: intFrom(1).default(200),
    BATCHLINE_REQUEST_TIMEOUT_MS: intFrom(100).default(30_000),
    BATCHLINE_MAX_BODY_BYTES: byteSize.pipe(z.number().int().min(1024)).default(64 * MB),
    BATCHLINE_WORKER_CONCURRENCY: intFrom(1, 64).default(4),
    BATCHLINE_LEASE_MS: intFrom(1000).default(60_000),
    BATCHLINE_CREATE_SETTLE_MS: intFrom(0).default(45_000),
    BATCHLINE_SHUTDOWN_MS: intFrom(0).default(10_000),
    BATCHLINE_IDLE_MS: intFrom(10, 60_000).default(500),
    BATCHLINE_COLLECT_CHUNK: intFrom(1, 10_000).default(2000),
    BATCHLINE_BATCH_CUT_REQUESTS: intFrom(1, 100_000).default(10_000),
    BATCHLINE_BATCH_CUT_MS: intFrom(0).default(5000),
    BATCHLINE_SINK_CONCURRENCY: intFrom(1, 64).default(2),
    BATCHLINE_DELIVERY_BATCH: intFrom(1, 10_000).default(2000),
    BATCHLINE_DELIVERY_MAX_ATTEMPTS: intFrom(1, 1000).default(10),
    BATCHLINE_LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
    BATCHLINE_SIMULATOR_PROCESSING_MS: intFrom(0).default(2000),
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
    BATCHLINE_RESULT_CACHE: z.enum(['on', 'off']).default('off'),
    BATCHLINE_RESULT_CACHE_TTL_HOURS: z.coerce.number({ error: 'must be a number' }).positive('must be above 0').max(24 * 365 * 10).default(168),
    BATCHLINE_DEFAULT_MAX_USD: optionalString.pipe(z.string().regex(/^\d+(\.\d+)?$/, 'must be a number of USD, e.g. 25 or 2.50').transform(Number).pipe(z.number().positive('must be above 0')).optional()),
    BATCHLINE_UNCONFIRMED_WINDOW_MS: intFrom(0).default(30 * 60_000),
    BATCHLINE_UNCONFIRMED_MIN_LOOKS: intFrom(1, 1000).default(5),
    BATCHLINE_CACHE_MIN_TOKENS: z
      .string()
      .optional()
      .transform((raw, ctx): MinPrefixOverrides => {
        const parsed = parseMinPrefixOverrides(raw ?? '');
        if (parsed.ok) return parsed.overrides;
        ctx.addIssue({ code: 'custom', message: parsed.message });
        return z.NEVER;
      }),
    BATCHLINE_PROMPT_CACHE_HIT_RATE: z.coerce.number({ error: 'must be a number' }).min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1').default(0.5),
    BATCHLINE_RETENTION_DAYS: optionalString.pipe(z.string().regex(/^\d+(\.\d+)?$/, 'must be a number of days, 0 or more (e.g. 30 or 0.5)').transform(Number).pipe(z.number().max(36_500, 'must be at most 36500')).optional()),
    BATCHLINE_TEXT_AT_REST: z.enum(['until_final', 'until_retention']).default('until_final'),
    BATCHLINE_PROVIDER_CLEANUP: z.enum(['keep', 'after_collect']).default('keep'),
    BATCHLINE_SWEEP_INTERVAL_MS: intFrom(10, 3_600_000).default(10_000),
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

export type ConfigKey = keyof typeof configSchema.shape;

/** The documentation of one variable: docs/configuration.md is generated from these (scripts/env-table.ts). */
export interface ConfigDoc {
  /** What it does, in Markdown (one paragraph). */
  description: string;
  /**
   * What happens when it is not set, for a variable without a schema default (a schema default is shown
   * as it is, so the two cannot disagree).
   */
  unset?: string;
}

/** Every variable of configSchema, described. Documentation only: nothing here changes how a value is read. */
export const CONFIG_DOCS = {
  PORT: { description: 'Port of the HTTP server (API, dashboard, `/docs`); `0` takes a free one. A CLI command\'s embedded server always takes a free port.' },
  HOST: {
    description:
      'Address to listen on. Anything but a loopback address requires `BATCHLINE_API_KEYS` (the start is refused otherwise); without keys the service answers only requests naming `localhost`, `127.0.0.1`, `[::1]` or `HOST` (421 otherwise). A CLI command\'s embedded server always listens on `127.0.0.1`.',
  },
  DATABASE_URL: {
    description:
      'Postgres to keep all state in (`postgres://…` or `postgresql://…`); migrations run at start-up under an advisory lock. A CLI command without `BATCHLINE_URL` uses it too: its embedded server then migrates and works on that database.',
    unset: 'an embedded PGlite database in `BATCHLINE_DATA_DIR` (one process at a time)',
  },
  BATCHLINE_DATA_DIR: {
    description:
      'Local working folder: the PGlite database (without `DATABASE_URL`), the generated development secret key (without `BATCHLINE_SECRET_KEY`), batch bodies spooled before they are sent (`spool/`) and an embedded CLI server\'s log (`batchline.log`). Plugins can never read or write in it.',
  },
  ANTHROPIC_API_KEY: {
    description: 'Key of the Message Batches API; the real API is used (and billed) only when it is set.',
    unset: 'the built-in batch simulator, in process: synthetic answers, nothing billed (announced in the log)',
  },
  ANTHROPIC_BASE_URL: {
    description: 'Base URL of the Message Batches API, used with `ANTHROPIC_API_KEY` (e.g. a standalone simulator: `npm run simulator`).',
    unset: 'the Anthropic SDK\'s default (`https://api.anthropic.com`)',
  },
  BATCHLINE_API_KEYS: {
    description:
      'Comma-separated bearer tokens accepted on `/v1` (all but the two signed routes, `POST /v1/callbacks/batches` and `POST /v1/connections/{name}/webhook`) and at the dashboard\'s login; all are accepted, for rotation. Each must be at least 32 characters; placeholders and published values are refused at start-up.',
    unset: 'no token asked; the service must then listen on loopback (`HOST`)',
  },
  WEBHOOK_SECRET: {
    description:
      'Standard Webhooks secrets (`whsec_<base64>`) that completion callbacks (`POST /v1/callbacks/batches`) must be signed with; space-separated, every one accepted, so a secret can be rotated without downtime.',
    unset: 'callbacks are refused (polling still finds every batch)',
  },
  BATCHLINE_SECRET_KEY: {
    description:
      '32 bytes, base64 or hex: seals connection and sink secrets (AES-256-GCM) and signs dashboard sessions. Every replica needs the same key; back it up apart from the database.',
    unset: 'a development key generated once in `BATCHLINE_DATA_DIR` (`secret.key`): no other machine or replica can open what it seals',
  },
  BATCHLINE_SECRET_KEY_FALLBACKS: {
    description:
      'Space- or comma-separated keys that still open secrets sealed under them but never seal: for rotating `BATCHLINE_SECRET_KEY` in place ([docs/operations.md](operations.md#rotating-batchline_secret_key)). Needs `BATCHLINE_SECRET_KEY`.',
    unset: 'none',
  },
  BATCH_MAX_REQUESTS: { description: 'Most requests in one provider batch (1 to 100,000, the API\'s limit).' },
  BATCH_MAX_BYTES: { description: 'Largest body of one provider batch: bytes, or a size such as `64MB` (1 KB to 256 MB, the API\'s limit).' },
  POLL_MIN_MS: {
    description:
      'First wait before a submitted batch is looked at; each later look waits twice as long (with jitter) up to `POLL_MAX_MS`. Must not exceed `POLL_MAX_MS`. A CLI command\'s embedded server, when neither is set, polls at 500 ms to 5 s with the simulator and 10 s to 60 s with `ANTHROPIC_API_KEY`.',
  },
  POLL_MAX_MS: { description: 'Longest wait between two looks at a submitted batch (see `POLL_MIN_MS`).' },
  BATCHLINE_RECHECK_MIN_MS: {
    description:
      'The short schedule of looks after an answer expected to clear in seconds (a 404 for an id the API gave, a results stream that failed or has no `results_url` yet, a 5xx or 429 on a status read): from this, doubling with jitter, up to `BATCHLINE_RECHECK_MAX_MS`, and never slower than a poll would be ([docs/architecture.md](architecture.md), "Looks again: two schedules"). Must not exceed `BATCHLINE_RECHECK_MAX_MS`.',
  },
  BATCHLINE_RECHECK_MAX_MS: { description: 'Longest wait of the short schedule of looks (see `BATCHLINE_RECHECK_MIN_MS`).' },
  MAX_ATTEMPTS: {
    description: 'Submissions of an item before it fails: until then a retryable outcome (an API error such as `overloaded_error`, an expired request) sends it again, in a batch of its own; an answer that misses the schema fails at once. A retry (`POST /v1/jobs/{id}/retry`) gives each failed item this many more.',
  },
  BATCHLINE_FILE_ROOTS: {
    description:
      '`:`-separated folders that file sources and sinks may read and write; a path outside them, a hidden name or the data directory is refused. A relative path in a job resolves against the first. A CLI command\'s embedded server, when it is unset, allows the current directory and the folders named in its flags.',
    unset: 'the working directory',
  },
  BATCHLINE_PLUGINS: {
    description: 'Comma-separated npm packages of third-party source and sink plugins, loaded at start ([docs/plugins.md](plugins.md)).',
    unset: 'the first-party plugins only',
  },
  BATCHLINE_TRACE_URL: {
    description: 'A trace viewer\'s link with `{trace_id}` in it (Jaeger: `http://localhost:16686/trace/{trace_id}`): each dashboard job page links to its trace (http and https links only).',
    unset: 'no link',
  },
  BATCHLINE_URL: {
    description: 'CLI only: the running Batchline server the `batchline` commands talk to (`http://127.0.0.1:8080`).',
    unset: 'each command starts an embedded server for its own duration, in its own process: on `DATABASE_URL` when set (sealing secrets with `BATCHLINE_SECRET_KEY`, or the key generated in `BATCHLINE_DATA_DIR`), else on PGlite in `BATCHLINE_DATA_DIR`; the simulator unless `ANTHROPIC_API_KEY` is set',
  },
  BATCHLINE_TOKEN: {
    description: 'CLI only: the bearer token sent to `BATCHLINE_URL`, one of its `BATCHLINE_API_KEYS`.',
    unset: 'no token sent',
  },
  BATCHLINE_TRUSTED_PROXIES: {
    description:
      'Comma-separated addresses or CIDRs of the proxies in front (ingress, load balancer) whose `X-Forwarded-For` is believed, so rate limits and the wrong-token budget key on the real client, not on the proxy.',
    unset: 'the connecting address is the client',
  },
  BATCHLINE_RATE_LIMIT_RPS: { description: 'Requests per second each client may make to `/v1`, per replica: per API key, else per client address (`0` turns the limit off); 429 with `Retry-After` above it.' },
  BATCHLINE_RATE_LIMIT_BURST: { description: 'The burst allowed above `BATCHLINE_RATE_LIMIT_RPS`.' },
  BATCHLINE_REQUEST_TIMEOUT_MS: { description: 'Longest an API request may take (503 after).' },
  BATCHLINE_MAX_BODY_BYTES: {
    description:
      'Request body limit (413 above it): bytes, or a size such as `64MB`. The signed routes, open to anyone until their body is checked, take at most 16 KB (`/v1/callbacks/batches`) and 256 KB (source webhooks) whatever it says.',
  },
  BATCHLINE_WORKER_CONCURRENCY: { description: 'Batches a worker handles at once per step; also source reads at once (1 to 64).' },
  BATCHLINE_LEASE_MS: { description: 'How long a claimed row (job, batch, delivery) stays claimed without renewal; a killed replica\'s work is taken over once its leases expire.' },
  BATCHLINE_CREATE_SETTLE_MS: {
    description:
      'After a crash cut a `batches.create` off, how long past its lease the batch is still taken as possibly created (the API stores a body, then lists it: propagation has been seen to take up to ~40 s) before the orphan search may send it again.',
  },
  BATCHLINE_SHUTDOWN_MS: { description: 'SIGTERM grace period: how long a stopping replica has to hand its leases back before it exits.' },
  BATCHLINE_IDLE_MS: { description: 'How long the worker sleeps when there is nothing to do.' },
  BATCHLINE_COLLECT_CHUNK: { description: 'Result lines stored per transaction while a batch\'s results are collected.' },
  BATCHLINE_BATCH_CUT_REQUESTS: {
    description:
      'While a job\'s source is still being read, a batch is cut once this many items wait (once the read has ended: up to `BATCH_MAX_REQUESTS`/`BATCH_MAX_BYTES`); see [docs/architecture.md](architecture.md), "When a batch is cut".',
  },
  BATCHLINE_BATCH_CUT_MS: { description: '…or once the oldest waiting item has waited this long, so a slow source still starts work.' },
  BATCHLINE_SINK_CONCURRENCY: { description: 'Delivery calls in flight at once per sink plugin, per replica, so one slow receiver neither starves other sinks nor gets flooded.' },
  BATCHLINE_DELIVERY_BATCH: { description: 'Results handed to a sink per call.' },
  BATCHLINE_DELIVERY_MAX_ATTEMPTS: { description: 'Delivery tries of a result to a sink before it is dead-lettered (the job then ends `completed_with_errors`; replay with `POST /v1/jobs/{id}/deliveries/replay`).' },
  BATCHLINE_LOG_LEVEL: { description: 'Log level of the JSON log lines on stdout (an embedded CLI server writes them to `BATCHLINE_DATA_DIR/batchline.log`).' },
  BATCHLINE_SIMULATOR_PROCESSING_MS: { description: 'How long the built-in simulator takes to end a batch (used only without `ANTHROPIC_API_KEY`).' },
  BATCHLINE_SIMULATOR_ERROR_RATES: {
    description: 'The built-in simulator\'s per-model error rates for built-in tasks, JSON (`{"claude-haiku-5-5": 0.2, "*": 0.05}`): each field of each answer is wrong with that probability (experiments in demos and tests).',
    unset: 'always right',
  },
  BATCHLINE_RESULT_CACHE: { description: 'The result cache for jobs that do not say (`cache` on the job): `on` reuses a stored schema-valid answer to an identical request.' },
  BATCHLINE_RESULT_CACHE_TTL_HOURS: { description: 'How long a cached answer may be reused, in hours.' },
  BATCHLINE_DEFAULT_MAX_USD: {
    description: 'Budget of jobs that set no `max_usd`, in USD at batch price: no batch is sent whose worst case would take spend over it.',
    unset: 'no budget',
  },
  BATCHLINE_UNCONFIRMED_WINDOW_MS: {
    description:
      'A batch the API gave an id for but answers 404 about is declared gone only after it has been invisible this long without a break, in at least `BATCHLINE_UNCONFIRMED_MIN_LOOKS` looks, and `batches.list` does not show it either ([docs/architecture.md](architecture.md), "A provider id is a promise").',
  },
  BATCHLINE_UNCONFIRMED_MIN_LOOKS: { description: 'Looks that must find a batch missing before it is declared gone (see `BATCHLINE_UNCONFIRMED_WINDOW_MS`).' },
  BATCHLINE_CACHE_MIN_TOKENS: {
    description:
      'Minimum cacheable prompt prefix by model, over the published table: `model=tokens`, `prefix*=tokens`, `*=tokens` (models with no published figure), comma-separated, e.g. `claude-haiku-5-5=2048,*=4096`. A shorter prefix is not marked for caching.',
    unset: 'the published table, else 4096',
  },
  BATCHLINE_PROMPT_CACHE_HIT_RATE: { description: 'Share of a batch\'s requests expected to read a cached prefix, before any job of the task and model has shown its own rate (estimates only; hits inside a batch are best effort).' },
  BATCHLINE_RETENTION_DAYS: {
    description:
      'Days after a job finished that its document text, answers and delivery payloads are kept (`0`: purged at once; a job\'s `retention_days` wins); its summary (counts, usage, cost) stays, and its provider batches are deleted.',
    unset: 'kept until the job is deleted',
  },
  BATCHLINE_TEXT_AT_REST: {
    description:
      '`until_final`: an item\'s text (and inline attachments) is dropped once the item succeeded or was canceled, since nothing will send it again; `until_retention`: kept until retention or delete. Failed items keep theirs either way (a retry needs it).',
  },
  BATCHLINE_PROVIDER_CLEANUP: { description: '`after_collect`: delete each batch at the provider once its results are stored; `keep`: leave it to the provider, which keeps inputs and results for 29 days.' },
  BATCHLINE_SWEEP_INTERVAL_MS: { description: 'How often the lifecycle sweep (deletes, retention, provider clean-up) looks for work, on one replica at a time.' },
  BATCHLINE_SWEEP_CHUNK: { description: 'Rows the sweep removes or purges per statement: short transactions keep it off the hot path.' },
  BATCHLINE_CRASH_AT: {
    description: `Tests only: the process kills itself (SIGKILL) at this point: ${CRASH_POINTS.map((p) => '`' + p + '`').join(', ')}.`,
    unset: 'never',
  },
} satisfies Record<ConfigKey, ConfigDoc>;

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
