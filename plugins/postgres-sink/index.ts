// The `postgres` sink: upserts results into a table — in the service's own database by default, or in
// another one given by `connection_string` — creating the table on first use. A delivery is one statement
// keyed by idempotency key, so delivering the same results again changes nothing but their payload.
import type { DeliveredResult, DeliveryOutcome, SinkContext, SinkPlugin, SqlExecutor } from '../../src/plugins/contract.ts';
import { configSchema, type PostgresSinkConfig } from './config.ts';
import { describeTarget, failure, isRowError, sqlState } from './errors.ts';
import { poolExecutor, poolFor } from './pools.ts';
import { ensureTable, forgetTable, tableName, type TableName } from './table.ts';
import { upsertResults } from './upsert.ts';

export type { PostgresSinkConfig };
export { closePools as closePostgresSinkPools } from './pools.ts';

interface Target {
  db: SqlExecutor;
  table: TableName;
  /** Names the (connection, table) pair for the once-per-process table check. */
  key: string;
  /** host/database, safe to show; never the connection string. */
  label: string;
  connectionString: string | undefined;
}

const DELIVERED: DeliveryOutcome = { ok: true };

function targetOf(config: PostgresSinkConfig, ctx: SinkContext): Target {
  const connectionString = config.connection_string;
  return {
    db: connectionString ? poolExecutor(poolFor(connectionString, ctx.log)) : ctx.database,
    table: tableName(config.table),
    key: `${connectionString ?? 'service database'}\n${config.table}`,
    label: connectionString ? describeTarget(connectionString) : 'service database',
    connectionString,
  };
}

/** The table vanished (42P01) or lost a column (42703) after this process checked it. */
function isStaleTable(error: unknown): boolean {
  const code = sqlState(error);
  return code === '42P01' || code === '42703';
}

async function deliver(config: PostgresSinkConfig, results: DeliveredResult[], ctx: SinkContext): Promise<DeliveryOutcome[]> {
  if (results.length === 0) return [];
  const target = targetOf(config, ctx);
  const report = (error: unknown) => {
    const outcome = failure(error, target.label, target.connectionString);
    ctx.log.warn({ target: target.label, table: config.table, code: sqlState(error), retryable: outcome.retryable, err: outcome.error }, 'postgres sink delivery failed');
    return outcome;
  };
  for (let attempt = 1; ; attempt++) {
    try {
      const missing = await ensureTable(target.key, target.db, target.table);
      if (missing.length > 0) {
        const error = `postgres sink (${target.label}): table ${config.table} is missing columns: ${missing.join(', ')}`;
        ctx.log.warn({ target: target.label, table: config.table, missing }, 'postgres sink table lacks columns');
        return results.map(() => ({ ok: false, retryable: false, error }));
      }
      await upsertResults(target.db, target.table, results);
      return results.map(() => DELIVERED);
    } catch (error) {
      if (attempt === 1 && isStaleTable(error)) {
        forgetTable(target.key);
        continue;
      }
      if (isRowError(error) && results.length > 1) return deliverApart(target, results, ctx, report);
      const outcome = report(error);
      return results.map(() => outcome);
    }
  }
}

/**
 * After a data or constraint error (class 22/23) one row is usually at fault; the rest should not be
 * dead-lettered with it. Halving until the culprits stand alone costs about log2(n) statements per bad row.
 */
async function deliverApart(target: Target, results: DeliveredResult[], ctx: SinkContext, report: (error: unknown) => Extract<DeliveryOutcome, { ok: false }>): Promise<DeliveryOutcome[]> {
  const mid = Math.ceil(results.length / 2);
  const outcomes: DeliveryOutcome[] = [];
  for (const half of [results.slice(0, mid), results.slice(mid)]) {
    if (half.length === 0) continue;
    if (ctx.signal.aborted) {
      outcomes.push(...half.map(() => ({ ok: false as const, retryable: true, error: 'postgres sink: delivery aborted' })));
      continue;
    }
    try {
      await upsertResults(target.db, target.table, half);
      outcomes.push(...half.map(() => DELIVERED));
    } catch (error) {
      if (isRowError(error) && half.length > 1) outcomes.push(...(await deliverApart(target, half, ctx, report)));
      else {
        const outcome = report(error);
        outcomes.push(...half.map(() => outcome));
      }
    }
  }
  return outcomes;
}

export const postgresSink: SinkPlugin<PostgresSinkConfig> = {
  name: 'postgres',
  description: 'Upserts results by idempotency key into a Postgres table (the service database by default), creating it on first use',
  configSchema,
  secretFields: ['connection_string'],
  deliver,
};
