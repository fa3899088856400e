// Validates SimulatorFaults arriving as JSON (control endpoint, SIMULATOR_FAULTS) before they replace the current ones.
import { z } from 'zod';
import type { SimulatorFaults } from './types.ts';

const share = z.number().min(0).max(1);

const faultsSchema = z.object({
  http: z
    .array(
      z.object({
        route: z.enum(['create', 'retrieve', 'list', 'cancel', 'delete', 'results', 'count_tokens', 'messages']),
        status: z.number().int().min(400).max(599),
        times: z.number().int().min(0),
        retryAfterSeconds: z.number().min(0).optional(),
      }),
    )
    .optional(),
  items: z
    .object({
      overloaded: share.optional(),
      apiError: share.optional(),
      invalidRequest: share.optional(),
      expired: share.optional(),
      offSchema: share.optional(),
      everyAttempt: z.boolean().optional(),
    })
    .optional(),
  notFound: z
    .object({
      firstRetrieve: z.boolean().optional(),
      retrieveRate: share.optional(),
      firstResults: z.boolean().optional(),
    })
    .optional(),
  endedWithoutResultsUrl: z.number().int().min(0).optional(),
  cutResults: z.number().int().min(0).optional(),
  cancelSucceedFraction: share.optional(),
});

export type FaultsParse = { ok: true; faults: SimulatorFaults } | { ok: false; message: string };

export function parseFaults(input: unknown): FaultsParse {
  const parsed = faultsSchema.safeParse(input);
  if (parsed.success) return { ok: true, faults: parsed.data };
  const issue = parsed.error.issues[0];
  return { ok: false, message: issue ? `${issue.path.join('.') || 'faults'}: ${issue.message}` : 'invalid faults' };
}

// A private copy, because faults are counted down in place as they are used.
export function copyFaults(faults: SimulatorFaults): SimulatorFaults {
  return structuredClone(faults);
}
