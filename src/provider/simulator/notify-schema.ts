// Validates completion-notifier settings arriving as JSON (control endpoint) or from SIMULATOR_NOTIFY_* variables.
import { z } from 'zod';
import type { NotifyOptions } from './types.ts';

const notifySchema = z.object({
  url: z.url({ protocol: /^https?$/ }),
  secret: z.string().min(1),
  delayMs: z.number().min(0).optional(),
  duplicate: z.boolean().optional(),
});

/** `notify: null` means "turn the notifier off" (an empty object or no body). */
export type NotifyParse = { ok: true; notify: NotifyOptions | null } | { ok: false; message: string };

export function parseNotify(input: unknown): NotifyParse {
  if (input === undefined || input === null) return { ok: true, notify: null };
  if (typeof input === 'object' && !Array.isArray(input) && Object.keys(input).length === 0) return { ok: true, notify: null };
  const parsed = notifySchema.safeParse(input);
  if (parsed.success) return { ok: true, notify: parsed.data };
  const issue = parsed.error.issues[0];
  return { ok: false, message: issue ? `${issue.path.join('.') || 'notify'}: ${issue.message}` : 'invalid notify settings' };
}
