// The `zendesk` sink's config: where the account is, how to sign in, and what to write on each ticket.
// Exactly-one rules (subdomain xor base_url, api token xor OAuth) are checked here so a bad config is
// refused when the job is created, not when the first result arrives.
import { z } from 'zod';
import { accountFields, checkAccount } from '../zendesk-shared/account.ts';

/** A dotted path into a result's output, e.g. `suggested_tags` or `triage.category`. */
const dottedPath = z.string().regex(/^[A-Za-z0-9_$-]+(\.[A-Za-z0-9_$-]+)*$/, 'must be a dotted path such as "suggested_tags"');

const baseSchema = z.object({
  ...accountFields,
  tags: z.union([z.array(z.string().min(1)), z.object({ from: dottedPath })]).optional(),
  /** Zendesk custom field id → dotted path of the value in the output. */
  custom_fields: z.record(z.string().regex(/^[1-9][0-9]*$/, 'keys must be Zendesk field ids'), dottedPath).optional(),
  /** Posted as a private comment; `{{output.x}}`, `{{status}}`, `{{error.message}}` … are filled in, missing → empty. */
  internal_note: z.string().min(1).optional(),
  only_succeeded: z.boolean().default(true),
  poll_interval_ms: z.number().int().min(10).max(60_000).default(1000),
  /** Total time to wait for one bulk job to finish before the results are handed back as retryable. */
  job_timeout_ms: z.number().int().min(100).max(900_000).default(120_000),
  request_timeout_ms: z.number().int().min(100).max(120_000).default(30_000),
});

export const configSchema = baseSchema.superRefine((c, ctx) => {
  checkAccount(c, ctx);
  if (c.tags === undefined && c.custom_fields === undefined && c.internal_note === undefined) {
    ctx.addIssue({ code: 'custom', path: ['tags'], message: 'nothing to write: set tags, custom_fields or internal_note' });
  }
});

export type ZendeskSinkConfig = z.infer<typeof configSchema>;

export function baseUrlOf(config: ZendeskSinkConfig): string {
  if (config.base_url !== undefined) return config.base_url.replace(/\/+$/, '');
  return `https://${config.subdomain ?? ''}.zendesk.com`;
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
