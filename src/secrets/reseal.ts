// Re-seals every stored secret under the current BATCHLINE_SECRET_KEY, while the service runs: the secrets
// of connections, the sealed copies jobs keep of their source and sinks (finished jobs included: a
// delivery replay opens them), and the source an experiment was sampled from (promote reads it again). A
// value already under the current key is left alone, so a second run is cheap and finds nothing; each row is swapped only if it is unchanged since it was read, so a concurrent
// PATCH wins and the next run picks it up. Once it reports nothing left under a fallback key (and nothing
// unreadable), the fallbacks can be removed (docs/operations.md).
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/types.ts';
import type { Logger } from '../logger.ts';
import { encryptSecret, openSealed, SecretUnreadableError } from './crypto.ts';
import { keyIdOf, type SecretKeys } from './key.ts';

export interface ResealCounts {
  /** Rows whose secrets were under a fallback key and are now under the current one. */
  resealed: number;
  /** Rows already under the current key. */
  current: number;
  /** Rows with a secret no configured key opens: they need their secrets given again. */
  unreadable: number;
}

export interface ResealReport {
  key_id: string;
  fallback_key_ids: string[];
  connections: ResealCounts & { unreadable_names: string[] };
  jobs: ResealCounts & { unreadable_ids: string[] };
  experiments: ResealCounts & { unreadable_ids: string[] };
  /** Rows still under a fallback key after the run (another writer got there first): run it again. */
  remaining: number;
}

/** Jobs read per round trip; each is compared and swapped on its own, so a page never holds a lock long. */
const PAGE = 200;
const MAX_LISTED = 20;

export async function resealSecrets(db: Kysely<DB>, keys: SecretKeys, log: Logger): Promise<ResealReport> {
  const connections = await resealConnections(db, keys);
  const jobs = await resealJobs(db, keys);
  const experiments = await resealExperiments(db, keys);
  const remaining = await countUnderFallbacks(db, keys);
  const report: ResealReport = { key_id: keyIdOf(keys.current), fallback_key_ids: keys.fallbacks.map(keyIdOf), connections, jobs, experiments, remaining };
  log.info({ audit: 'secrets.reseal', ...report }, 'stored secrets re-sealed under the current key');
  return report;
}

type Verdict = { kind: 'current' } | { kind: 'unreadable' } | { kind: 'resealed'; sealed: string };

function reseal(keys: SecretKeys, sealed: string): Verdict {
  try {
    const opened = openSealed(keys, sealed);
    return opened.current ? { kind: 'current' } : { kind: 'resealed', sealed: encryptSecret(keys, opened.plaintext) };
  } catch (error) {
    if (error instanceof SecretUnreadableError) return { kind: 'unreadable' };
    throw error;
  }
}

async function resealConnections(db: Kysely<DB>, keys: SecretKeys): Promise<ResealReport['connections']> {
  const rows = await db.selectFrom('connections').select(['name', 'secrets']).where('secrets', 'is not', null).orderBy('name').execute();
  const { listed, ...counts } = await resealEach(keys, rows, (row) => ({ name: row.name, sealed: row.secrets ?? '' }), async (row, sealed) => {
    // Only if nobody changed it meanwhile (a PATCH seals under the current key anyway).
    const swapped = await db.updateTable('connections').set({ secrets: sealed }).where('name', '=', row.name).where('secrets', '=', row.secrets).executeTakeFirst();
    return Number(swapped.numUpdatedRows) > 0;
  });
  return { ...counts, unreadable_names: listed };
}

/** Experiments sampled from a source with secrets: few rows, each swapped only if unchanged since read. */
async function resealExperiments(db: Kysely<DB>, keys: SecretKeys): Promise<ResealReport['experiments']> {
  const rows = await sql<{ id: string; source: SealedPart }>`SELECT id, source FROM experiments WHERE source->>'secrets' IS NOT NULL ORDER BY id`.execute(db);
  const { listed, ...counts } = await resealEach(keys, rows.rows, (row) => ({ name: row.id, sealed: row.source.secrets ?? '' }), async (row, sealed) => {
    const swapped = await sql`UPDATE experiments SET source = ${JSON.stringify({ ...row.source, secrets: sealed })}::jsonb
      WHERE id = ${row.id} AND source = ${JSON.stringify(row.source)}::jsonb`.execute(db);
    return Number(swapped.numAffectedRows ?? 0) > 0;
  });
  return { ...counts, unreadable_ids: listed };
}

/** Rows that hold one sealed value each: re-sealed one by one, `swap` writing a row only if unchanged. */
async function resealEach<R>(
  keys: SecretKeys,
  rows: readonly R[],
  sealedOf: (row: R) => { name: string; sealed: string },
  swap: (row: R, sealed: string) => Promise<boolean>,
): Promise<ResealCounts & { listed: string[] }> {
  const counts = { resealed: 0, current: 0, unreadable: 0, listed: [] as string[] };
  for (const row of rows) {
    const { name, sealed } = sealedOf(row);
    const verdict = reseal(keys, sealed);
    if (verdict.kind === 'resealed') {
      if (await swap(row, verdict.sealed)) counts.resealed += 1;
    } else if (verdict.kind === 'current') {
      counts.current += 1;
    } else {
      counts.unreadable += 1;
      if (counts.listed.length < MAX_LISTED) counts.listed.push(name);
    }
  }
  return counts;
}

interface SealedPart {
  secrets?: string | null;
}

interface SealedJob {
  id: string;
  source: SealedPart | null;
  sinks: SealedPart[];
}

/** Jobs that hold a sealed secret, a page at a time in id order. */
async function* sealedJobs(db: Kysely<DB>): AsyncGenerator<SealedJob[]> {
  let after = '';
  for (;;) {
    const page = await sql<SealedJob>`
      SELECT id, source, sinks FROM jobs
      WHERE id > ${after} AND (source->>'secrets' IS NOT NULL OR EXISTS (SELECT 1 FROM jsonb_array_elements(sinks) s WHERE s->>'secrets' IS NOT NULL))
      ORDER BY id LIMIT ${PAGE}`.execute(db);
    if (page.rows.length > 0) yield page.rows;
    const last = page.rows.at(-1);
    if (!last || page.rows.length < PAGE) return;
    after = last.id;
  }
}

async function resealJobs(db: Kysely<DB>, keys: SecretKeys): Promise<ResealReport['jobs']> {
  const counts = { resealed: 0, current: 0, unreadable: 0, unreadable_ids: [] as string[] };
  // (A job of inline documents has no source: SQL NULL, which JSON.stringify would make JSON null.)
  const asJson = (value: unknown) => (value === null ? null : JSON.stringify(value));
  for await (const page of sealedJobs(db)) {
    const swaps: Array<{ id: string; source: string | null; sinks: string | null; oldSource: string | null; oldSinks: string | null }> = [];
    for (const job of page) {
      let changed = false;
      let unreadable = false;
      const open = (part: SealedPart): SealedPart => {
        if (!part.secrets) return part;
        const verdict = reseal(keys, part.secrets);
        if (verdict.kind === 'unreadable') unreadable = true;
        if (verdict.kind !== 'resealed') return part;
        changed = true;
        return { ...part, secrets: verdict.sealed };
      };
      const source = job.source ? open(job.source) : null;
      const sinks = job.sinks.map(open);
      if (changed) swaps.push({ id: job.id, source: asJson(source), sinks: asJson(sinks), oldSource: asJson(job.source), oldSinks: asJson(job.sinks) });
      else if (!unreadable) counts.current += 1;
      if (unreadable) {
        counts.unreadable += 1;
        if (counts.unreadable_ids.length < MAX_LISTED) counts.unreadable_ids.push(job.id);
      }
    }
    if (swaps.length === 0) continue;
    // One statement per page; each job swapped only if its copies are as read (written once, at creation).
    const swapped = await sql<{ id: string }>`
      UPDATE jobs j SET source = u.source, sinks = u.sinks
      FROM unnest(${swaps.map((w) => w.id)}::text[], ${swaps.map((w) => w.source)}::jsonb[], ${swaps.map((w) => w.sinks)}::jsonb[],
        ${swaps.map((w) => w.oldSource)}::jsonb[], ${swaps.map((w) => w.oldSinks)}::jsonb[]) AS u(id, source, sinks, old_source, old_sinks)
      WHERE j.id = u.id AND j.source IS NOT DISTINCT FROM u.old_source AND j.sinks = u.old_sinks
      RETURNING j.id`.execute(db);
    counts.resealed += swapped.rows.length;
  }
  return counts;
}

/** Rows with a secret that only a fallback key opens. */
async function countUnderFallbacks(db: Kysely<DB>, keys: SecretKeys): Promise<number> {
  if (keys.fallbacks.length === 0) return 0;
  const underFallback = (sealed: string | null | undefined) => {
    if (!sealed) return false;
    try {
      return !openSealed(keys, sealed).current;
    } catch {
      return false;
    }
  };
  let remaining = (await db.selectFrom('connections').select('secrets').where('secrets', 'is not', null).execute()).filter((r) => underFallback(r.secrets)).length;
  for await (const page of sealedJobs(db)) remaining += page.filter((j) => underFallback(j.source?.secrets) || j.sinks.some((s) => underFallback(s.secrets))).length;
  const experiments = await sql<{ secrets: string }>`SELECT source->>'secrets' AS secrets FROM experiments WHERE source->>'secrets' IS NOT NULL`.execute(db);
  remaining += experiments.rows.filter((r) => underFallback(r.secrets)).length;
  return remaining;
}
