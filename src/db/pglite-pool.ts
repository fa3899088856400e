// Presents an embedded PGlite database as the slice of a `pg` pool that Kysely's PostgresDialect uses.
// PGlite is one connection, so a checkout is exclusive: a transaction holds it until release.
import type { PGlite } from '@electric-sql/pglite';

interface PoolClient {
  query(sql: string, parameters: readonly unknown[]): Promise<{ command: string; rowCount: number; rows: unknown[] }>;
  release(): void;
}

export interface PgliteLikePool {
  connect(): Promise<PoolClient>;
  end(): Promise<void>;
}

export function pglitePool(pg: PGlite): PgliteLikePool {
  let tail: Promise<void> = Promise.resolve();

  async function query(sql: string, parameters: readonly unknown[]) {
    if (parameters.length === 0) {
      // The simple protocol allows several statements (migrations); report the last one.
      const results = await pg.exec(sql);
      const last = results[results.length - 1];
      return { command: commandOf(sql), rowCount: last?.affectedRows ?? 0, rows: last?.rows ?? [] };
    }
    const result = await pg.query(sql, parameters as unknown[]);
    return { command: commandOf(sql), rowCount: result.affectedRows ?? 0, rows: result.rows };
  }

  return {
    async connect() {
      let release!: () => void;
      const previous = tail;
      tail = new Promise<void>((resolve) => (release = resolve));
      await previous;
      let released = false;
      return {
        query,
        release() {
          if (!released) {
            released = true;
            release();
          }
        },
      };
    },
    async end() {
      await tail;
      await pg.close();
    },
  };
}

/** Kysely only looks at the command to decide whether rowCount means "affected rows". */
function commandOf(sql: string): string {
  return (/^\s*(\w+)/.exec(sql)?.[1] ?? '').toUpperCase();
}
