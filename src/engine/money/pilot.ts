// Pilot runs: a job with `pilot` sends a sample first and judges it: only if enough of its answers pass
// the task's schema does the rest go out; otherwise the job pauses in `pilot_failed`, listing why, so the
// prompt can be fixed before money is spent on the rest.
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB, ErrorInfo, PilotConfig } from '../../db/types.ts';

type Tx = Transaction<DB> | Kysely<DB>;

export interface PilotSample {
  /** Answers that can be judged: schema-valid or not (errors and expiries say nothing about the prompt). */
  judged: number;
  valid: number;
  rate: number | null;
}

export type PilotVerdict =
  | { kind: 'wait' }
  | { kind: 'passed'; sample: PilotSample }
  | { kind: 'failed'; sample: PilotSample; reason: ErrorInfo }
  /** Nothing judgeable came back (the batch errored or expired): send another sample. */
  | { kind: 'again' };

export async function pilotSample(db: Tx, pilotBatchId: number): Promise<PilotSample> {
  const row = await sql<{ judged: number; valid: number }>`
    SELECT count(*) FILTER (WHERE outcome IN ('succeeded','invalid_output'))::int AS judged,
      count(*) FILTER (WHERE outcome = 'succeeded')::int AS valid
    FROM results WHERE batch_id = ${pilotBatchId}`.execute(db);
  const judged = Number(row.rows[0]?.judged ?? 0);
  const valid = Number(row.rows[0]?.valid ?? 0);
  return { judged, valid, rate: judged === 0 ? null : valid / judged };
}

/** Judges the pilot once its batch is over (collected or refused); until then, the job waits. */
export async function judgePilot(db: Tx, pilot: PilotConfig, pilotBatchId: number): Promise<PilotVerdict> {
  const batch = await db.selectFrom('batches').select('status').where('id', '=', pilotBatchId).executeTakeFirst();
  if (batch && batch.status !== 'collected' && batch.status !== 'failed') return { kind: 'wait' };
  const sample = await pilotSample(db, pilotBatchId);
  if (sample.rate === null) return { kind: 'again' };
  if (sample.rate >= pilot.min_success_rate) return { kind: 'passed', sample };
  const pct = (x: number) => `${Math.round(x * 1000) / 10}%`;
  return {
    kind: 'failed',
    sample,
    reason: {
      type: 'pilot_failed',
      message:
        `the pilot's answers passed the task's schema ${sample.valid} times in ${sample.judged} (${pct(sample.rate)}); ` +
        `the bar is ${pct(pilot.min_success_rate)}. Nothing more was sent: fix the task and start a new job, or resume with accept_pilot to send the rest anyway`,
    },
  };
}

export interface PilotFailure {
  external_id: string;
  output: unknown;
  error: ErrorInfo | null;
}

/** The pilot's answers that failed the schema, with the validation messages (the first `limit`). */
export async function pilotFailures(db: Tx, pilotBatchId: number, limit = 20): Promise<PilotFailure[]> {
  const rows = await sql<PilotFailure>`
    SELECT i.external_id, r.output, r.error FROM results r JOIN items i ON i.id = r.item_id
    WHERE r.batch_id = ${pilotBatchId} AND r.outcome = 'invalid_output'
    ORDER BY r.item_id LIMIT ${limit}`.execute(db);
  return rows.rows;
}
