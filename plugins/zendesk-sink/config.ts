// The `zendesk` sink's config: where the account is, how to sign in, and what to write on each ticket.
// Exactly-one rules (subdomain xor base_url, api token xor OAuth) are checked here so a bad config is
// refused when the job is created, not when the first result arrives. What to write may be left out: a
// connection holds the account alone, and the job's task decides (prepare.ts).
import { z } from 'zod';
import { accountFields, accountUrlOf, checkAccount } from '../zendesk-shared/account.ts';

/** A dotted path into a result's output, e.g. `suggested_tags` or `triage.category`. */
const dottedPath = z.string().regex(/^[A-Za-z0-9_$-]+(\.[A-Za-z0-9_$-]+)*$/, 'must be a dotted path such as "suggested_tags"');

/** Tags taken from the output: the value(s) at `from`, each with `prefix` in front, made valid Zendesk tags. */
const tagSource = z.object({
  from: dottedPath,
  prefix: z.string().regex(/^[a-z0-9_\-/:.]{0,40}$/, 'must be at most 40 lowercase letters, digits or _ - / : .').optional(),
});

/** Standard ticket fields a result may set. Routing changes only when asked for: none is set by default. */
export const TICKET_FIELDS = ['priority', 'type', 'status', 'group_id', 'assignee_id'] as const;

const baseSchema = z.object({
  ...accountFields,
  /** Fixed tags, tags from the output (`{ "from": "suggested_tags", "prefix": "ai_" }`), or a list of both. */
  tags: z.union([z.array(z.union([z.string().min(1), tagSource])), tagSource]).optional(),
  /** Zendesk custom field id → dotted path of the value in the output. */
  custom_fields: z.record(z.string().regex(/^[1-9][0-9]*$/, 'keys must be Zendesk field ids'), dottedPath).optional(),
  /** Posted as a private comment; `{{output.x}}`, `{{status}}`, `{{error.message}}` … are filled in, missing → empty; `{{output.flag|yesno}}` → yes/no. */
  internal_note: z.string().min(1).optional(),
  /** Standard ticket field → dotted path of its value in the output, e.g. `{ "priority": "priority" }`. */
  ticket_fields: z.partialRecord(z.enum(TICKET_FIELDS), dottedPath).optional(),
  only_succeeded: z.boolean().default(true),
  poll_interval_ms: z.number().int().min(10).max(60_000).default(1000),
  /** Total time to wait for one bulk job to finish before the results are handed back as retryable. */
  job_timeout_ms: z.number().int().min(100).max(900_000).default(120_000),
  request_timeout_ms: z.number().int().min(100).max(120_000).default(30_000),
});

export const configSchema = baseSchema.superRefine((c, ctx) => checkAccount(c, ctx));

/** True when the config says what to write; without it the job's task must imply it (prepare.ts). */
export function hasWriteOptions(c: Pick<ZendeskSinkConfig, 'tags' | 'custom_fields' | 'internal_note' | 'ticket_fields'>): boolean {
  return c.tags !== undefined || c.custom_fields !== undefined || c.internal_note !== undefined || c.ticket_fields !== undefined;
}

export type ZendeskSinkConfig = z.infer<typeof configSchema>;

export function baseUrlOf(config: ZendeskSinkConfig): string {
  return accountUrlOf(config);
}

/** The Authorization header (formats.md A, "Auth"): Basic `{email}/token:{api_token}`, or Bearer. */
export function authorizationOf(config: ZendeskSinkConfig): string {
  if (config.oauth_token !== undefined) return `Bearer ${config.oauth_token}`;
  return `Basic ${Buffer.from(`${config.email ?? ''}/token:${config.api_token ?? ''}`).toString('base64')}`;
}

/** The secrets a message must never carry, for scrubbing anything echoed back by the server. */
export function secretsOf(config: ZendeskSinkConfig): string[] {
  const basic = config.api_token !== undefined ? authorizationOf(config).replace(/^Basic /, '') : undefined;
  return [config.api_token, config.oauth_token, basic].filter((s): s is string => s !== undefined && s.length > 0);
}
