// The `postgres` sink's config (CONTRACT.md): the target table and, optionally, another database to write to.
import { z } from 'zod';

/** A plain or schema-qualified identifier; 63 characters per part is Postgres's NAMEDATALEN limit. */
const TABLE_NAME = /^[a-zA-Z_][a-zA-Z0-9_]{0,62}(\.[a-zA-Z_][a-zA-Z0-9_]{0,62})?$/;

function isPostgresUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'postgres:' || url.protocol === 'postgresql:';
  } catch {
    return false;
  }
}

export const configSchema = z.object({
  table: z.string().regex(TABLE_NAME, 'must be a table name, optionally schema-qualified (letters, digits, _)'),
  // The message never echoes the value: it holds a password.
  connection_string: z.string().refine(isPostgresUrl, 'must be a postgres:// URL').optional(),
});

export type PostgresSinkConfig = z.infer<typeof configSchema>;
