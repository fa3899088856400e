// The two variables the CLI itself reads (docs/configuration.md): where a running server is, and its token.
// Validated with the service's own schema entries, so "must be a URL" reads the same everywhere.
import { z } from 'zod';
import { configSchema } from '../config.ts';
import { CliError } from './errors.ts';

const cliEnvSchema = z.object({
  BATCHLINE_URL: configSchema.shape.BATCHLINE_URL,
  BATCHLINE_TOKEN: configSchema.shape.BATCHLINE_TOKEN,
});

export interface CliEnv {
  /** A running server; undefined → the command runs an embedded one. */
  url: string | undefined;
  token: string | undefined;
}

export function readCliEnv(env: NodeJS.ProcessEnv): CliEnv {
  const parsed = cliEnvSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    // The value is not echoed: BATCHLINE_TOKEN is a secret, and a URL may carry credentials.
    throw new CliError(`invalid environment variable ${String(issue?.path[0] ?? 'BATCHLINE_URL')}: ${issue?.message ?? 'invalid'}`);
  }
  return { url: parsed.data.BATCHLINE_URL, token: parsed.data.BATCHLINE_TOKEN };
}
