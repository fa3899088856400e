// Turns `batchline run` flags (or a --job file) into a POST /v1/jobs body. Paths in flags are resolved
// against the current directory before sending, because the server reads them and may run elsewhere;
// paths inside a --job file are sent as written (the server resolves them against its first file root).
// --config and --unset are read as every command reads them (config-values.ts: `@FILE`, `@-`, dotted keys).
import fs from 'node:fs';
import path from 'node:path';
import type { Api } from './api.ts';
import { applyAssignments, applyUnset, parseAssignment } from './config-values.ts';
import type { ConfigAssignment } from './types.ts';
import type { CliContext } from './context.ts';
import { CliError, UsageError } from './errors.ts';
import { warnLiteralSecrets } from './secret-values.ts';
import type { PluginInfo } from './types.ts';

export interface RunFlags {
  job?: string | undefined;
  source?: string | undefined;
  connection?: string | undefined;
  path?: string | undefined;
  preset?: string | undefined;
  /** --config flags as typed (KEY=VALUE), or as readConfigFlags read them (`@FILE`, `@-` read in). */
  config?: ReadonlyArray<string | ConfigAssignment> | undefined;
  /** --unset fields: removed from the connection's config for this job (null in the job's merge patch). */
  unset?: readonly string[] | undefined;
  task?: string | undefined;
  sink?: string[] | undefined;
  model?: string | undefined;
  maxTokens?: string | undefined;
  name?: string | undefined;
  maxUsd?: string | undefined;
  pilot?: string | undefined;
  cache?: string | undefined;
}

export interface JobPlan {
  /** The body, less the source's --config values (they need the plugin's schema to be typed). */
  body: Record<string, unknown>;
  sourceAssignments: ConfigAssignment[];
  /** Fields of the connection's config the job removes (--unset). */
  sourceUnset: string[];
  /** Folders the flags (or the job file) point at: an embedded server must be allowed to use them. */
  fileRoots: string[];
}

type JsonObject = Record<string, unknown>;

const SOURCE_FLAGS = ['source', 'connection', 'path', 'preset', 'config', 'unset'] as const;

export function planJob(flags: RunFlags, cwd: string, usage: string, readStdin: () => string = () => fs.readFileSync(0, 'utf8')): JobPlan {
  const fileRoots: string[] = [];
  const sinks = (flags.sink ?? []).map((spec) => {
    const sink = parseSink(spec, cwd, usage);
    if (sink.root) fileRoots.push(sink.root);
    return sink.ref;
  });
  const overrides: JsonObject = {};
  if (flags.name !== undefined) overrides.name = flags.name;
  if (flags.task !== undefined) overrides.task = flags.task;
  if (flags.model !== undefined) overrides.model = flags.model;
  if (flags.maxTokens !== undefined) overrides.max_tokens = parseMaxTokens(flags.maxTokens, usage);
  if (flags.maxUsd !== undefined) overrides.max_usd = parseUsd(flags.maxUsd, '--max-usd', usage);
  if (flags.pilot !== undefined) overrides.pilot = parsePilot(flags.pilot, usage);
  if (flags.cache !== undefined) {
    if (flags.cache !== 'on' && flags.cache !== 'off') throw new UsageError(`--cache must be on or off, not "${flags.cache}"`, usage);
    overrides.cache = flags.cache;
  }

  if (flags.job !== undefined) {
    const clash = SOURCE_FLAGS.find((f) => flags[f] !== undefined && !(Array.isArray(flags[f]) && (flags[f] as unknown[]).length === 0));
    if (clash) throw new UsageError(`--${clash} cannot be combined with --job (put the source in the job file)`, usage);
    const job = readJobFile(flags.job, cwd, readStdin);
    fileRoots.push(...rootsInJobFile(job, cwd));
    const sinksInFile = Array.isArray(job.sinks) ? (job.sinks as unknown[]) : [];
    return { body: { ...job, ...overrides, ...(sinks.length > 0 ? { sinks: [...sinksInFile, ...sinks] } : {}) }, sourceAssignments: [], sourceUnset: [], fileRoots };
  }

  if (flags.task === undefined) throw new UsageError('missing --task (a built-in task such as review-insights, or use --job)', usage);
  if (flags.source === undefined && flags.connection === undefined) throw new UsageError('missing --source PLUGIN or --connection NAME (or use --job)', usage);
  if (flags.source !== undefined && flags.connection !== undefined) throw new UsageError('give --source or --connection, not both', usage);

  const sourceUnset = [...(flags.unset ?? [])];
  if (sourceUnset.length > 0 && flags.connection === undefined) throw new UsageError('--unset removes a field of the connection\'s config for this job: it needs --connection', usage);
  const assignments = (flags.config ?? []).map((c) => (typeof c === 'string' ? parseAssignment(c, usage) : c));
  if (flags.preset !== undefined) assignments.unshift({ key: 'preset', raw: flags.preset });
  if (flags.path !== undefined) assignments.unshift({ key: 'path', raw: flags.path });
  const sourceAssignments = assignments.map((a) => {
    if (a.key !== 'path') return a;
    const absolute = path.resolve(cwd, a.raw);
    fileRoots.push(rootFor(absolute));
    return { key: a.key, raw: absolute };
  });
  const source: JsonObject = flags.source !== undefined ? { plugin: flags.source } : { connection: flags.connection };
  return { body: { ...overrides, source, ...(sinks.length > 0 ? { sinks } : {}) }, sourceAssignments, sourceUnset, fileRoots };
}

/**
 * Adds the typed --config values (and the --unset nulls) to the body's source, asking the server for the
 * plugin's schema; a secret field typed on the command line is warned about on `ctx.stderr`.
 */
export async function completeJobBody(plan: JobPlan, api: Api, usage: string, ctx?: Pick<CliContext, 'stderr'>): Promise<JsonObject> {
  if (plan.sourceAssignments.length === 0 && plan.sourceUnset.length === 0) return plan.body;
  const source = plan.body.source as JsonObject;
  const plugin = await sourcePlugin(api, source);
  if (ctx) warnLiteralSecrets(plan.sourceAssignments, plugin?.secret_fields ?? [], ctx);
  const config: JsonObject = {};
  applyAssignments(config, plan.sourceAssignments, plugin?.config_schema, usage);
  applyUnset(config, plan.sourceUnset, usage);
  return { ...plan.body, source: { ...source, config } };
}

async function sourcePlugin(api: Api, source: JsonObject): Promise<PluginInfo | undefined> {
  let plugin = typeof source.plugin === 'string' ? source.plugin : undefined;
  if (plugin === undefined && typeof source.connection === 'string') {
    plugin = (await api.get<{ plugin: string }>(`/v1/connections/${encodeURIComponent(source.connection)}`)).plugin;
  }
  const { data } = await api.get<{ data: PluginInfo[] }>('/v1/plugins');
  // Unknown plugin: no schema, values go as text or JSON, and the server names the problem.
  return data.find((p) => p.kind === 'source' && p.name === plugin);
}

export interface SinkSpec {
  ref: JsonObject;
  /** For a file sink: the folder it writes in. */
  root?: string;
}

/** `file:PATH`, `http:URL` (or a bare http(s) URL), `connection:NAME`. */
export function parseSink(spec: string, cwd: string, usage: string): SinkSpec {
  if (/^https?:\/\//i.test(spec)) return { ref: { plugin: 'http', config: { url: spec } } };
  const at = spec.indexOf(':');
  const kind = at > 0 ? spec.slice(0, at) : '';
  const value = at > 0 ? spec.slice(at + 1) : '';
  if (value === '' || !['file', 'http', 'connection'].includes(kind)) {
    throw new UsageError(`--sink must be file:PATH, http:URL or connection:NAME, got "${spec}"`, usage);
  }
  if (kind === 'file') {
    const absolute = path.resolve(cwd, value);
    return { ref: { plugin: 'file', config: { path: absolute } }, root: path.dirname(absolute) };
  }
  if (kind === 'http') return { ref: { plugin: 'http', config: { url: value } } };
  return { ref: { connection: value } };
}

function parseMaxTokens(raw: string, usage: string): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(n) || n < 1) throw new UsageError(`--max-tokens must be a positive whole number, got "${raw}"`, usage);
  return n;
}

function readJobFile(file: string, cwd: string, readStdin: () => string): JsonObject {
  const label = file === '-' ? 'the job on stdin' : file;
  let text: string;
  try {
    text = file === '-' ? readStdin() : fs.readFileSync(path.resolve(cwd, file), 'utf8');
  } catch (error) {
    throw new CliError(`cannot read ${label}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new CliError(`${label} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new CliError(`${label} must hold a JSON object (a POST /v1/jobs body)`);
  return parsed as JsonObject;
}

/** The folders a job file's source path and file sinks point at (relative ones against cwd, as an embedded server sees them). */
function rootsInJobFile(job: JsonObject, cwd: string): string[] {
  const roots: string[] = [];
  const source = job.source as JsonObject | undefined;
  const sourcePath = (source?.config as JsonObject | undefined)?.path;
  if (typeof sourcePath === 'string') roots.push(rootFor(path.resolve(cwd, sourcePath)));
  for (const sink of Array.isArray(job.sinks) ? (job.sinks as JsonObject[]) : []) {
    const sinkPath = (sink?.config as JsonObject | undefined)?.path;
    if (sink?.plugin === 'file' && typeof sinkPath === 'string') roots.push(path.dirname(path.resolve(cwd, sinkPath)));
  }
  return roots;
}

/** A folder source (invoices) may read the folder itself; a file source the folder holding it. */
function rootFor(absolute: string): string {
  try {
    if (fs.statSync(absolute).isDirectory()) return absolute;
  } catch {
    // Not there (yet): the server will say so; its folder is still the right root.
  }
  return path.dirname(absolute);
}

/** `--max-usd 25` / `2.50`: a positive amount of USD. */
export function parseUsd(raw: string, flag: string, usage: string): number {
  const value = /^\d+(\.\d+)?$/.test(raw.trim()) ? Number(raw) : NaN;
  if (!(value > 0)) throw new UsageError(`${flag} must be an amount of USD above 0, e.g. 25 or 2.50 (got "${raw}")`, usage);
  return value;
}

/** `--pilot 100` or `--pilot 100:0.9` (a rate, or a percentage such as 90%). */
export function parsePilot(raw: string, usage: string): { items: number; min_success_rate: number } {
  const m = /^(\d+)(?::(\d+(?:\.\d+)?)(%)?)?$/.exec(raw.trim());
  const items = m ? Number(m[1]) : NaN;
  const rate = m?.[2] === undefined ? 0.95 : Number(m[2]) / (m[3] ? 100 : 1);
  if (!m || !(items >= 1) || !(rate >= 0 && rate <= 1)) throw new UsageError(`--pilot must be ITEMS or ITEMS:RATE, e.g. 100 or 100:0.95 (got "${raw}")`, usage);
  return { items, min_success_rate: rate };
}
