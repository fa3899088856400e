// The `zendesk` source's config: where the account is, how to sign in, what to read (the incremental
// ticket export, a search query, or tickets pushed by signed webhooks) and how patient to be with Zendesk.
// Exactly-one rules mirror the zendesk sink's, with the same messages, so a connection reads the same both ways.
import { z } from 'zod';
import { accountFields, accountUrlOf, checkAccount } from '../zendesk-shared/account.ts';

/** Config fields holding secrets: write-only through the API, encrypted at rest, never logged. */
export const ZENDESK_SOURCE_SECRET_FIELDS = ['api_token', 'oauth_token', 'webhook_secret'] as const;

const baseSchema = z.object({
  ...accountFields,
  /** Unix seconds: where the first export on a connection starts; later jobs resume from the saved cursor. */
  start_time: z.number().int().min(0).default(0),
  /** A Zendesk search query (e.g. `status:open tags:billing`): reads its results instead of the whole export. */
  query: z.string().regex(/\S/, 'must not be blank').optional(),
  /** Appends each ticket's comments (one more request per ticket, or more for long threads). */
  include_comments: z.boolean().default(false),
  /** The job reads nothing itself and stays open for tickets that Zendesk pushes to its webhook. */
  stream: z.boolean().default(false),
  /**
   * The webhook's signing secret in Zendesk (Admin Center → Webhooks → signing secret); required with stream.
   * Several, space-separated, while webhooks are switched over (a second webhook with a new secret): a
   * delivery signed with any of them is taken.
   */
  webhook_secret: z.string().regex(/\S/, 'is required').optional(),
  /** Tickets per export page (Zendesk's maximum is 1000). */
  per_page: z.number().int().min(1).max(1000).default(1000),
  request_timeout_ms: z.number().int().min(100).max(120_000).default(30_000),
  /** The longest single wait a 429's Retry-After is honoured for; a longer one is cut to this. */
  max_retry_wait_ms: z.number().int().min(0).max(900_000).default(120_000),
});

export const configSchema = baseSchema.superRefine((c, ctx) => {
  checkAccount(c, ctx);
  if (c.stream && c.webhook_secret === undefined) {
    ctx.addIssue({ code: 'custom', path: ['webhook_secret'], message: 'is required when stream is true: it checks that webhooks come from Zendesk' });
  }
});

export type ZendeskSourceConfig = z.infer<typeof configSchema>;

/** Only the fields that say where Zendesk is and how to sign in. */
export type ZendeskAccess = Pick<ZendeskSourceConfig, 'subdomain' | 'base_url' | 'email' | 'api_token' | 'oauth_token'>;

export function baseUrlOf(config: ZendeskAccess): string {
  return accountUrlOf(config);
}

/** The Authorization header (formats.md A, "Auth"): Basic `{email}/token:{api_token}`, or Bearer. */
export function authorizationOf(config: ZendeskAccess): string {
  if (config.oauth_token !== undefined) return `Bearer ${config.oauth_token}`;
  return `Basic ${Buffer.from(`${config.email ?? ''}/token:${config.api_token ?? ''}`).toString('base64')}`;
}

/** Every form a credential could take in text echoed back by a server, for scrubbing messages. */
export function secretsOf(config: ZendeskAccess): string[] {
  const pair = config.api_token !== undefined ? `${config.email ?? ''}/token:${config.api_token}` : undefined;
  const basic = pair !== undefined ? Buffer.from(pair).toString('base64') : undefined;
  return [pair, basic, config.api_token, config.oauth_token].filter((s): s is string => s !== undefined && s.length > 0);
}
