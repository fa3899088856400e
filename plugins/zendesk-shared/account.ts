// What the zendesk source and sink share: the account and sign-in fields, their exactly-one rules (so a
// connection reads the same both ways), and how an HTTP answer's Retry-After and failures are read.
import { z } from 'zod';

export const accountFields = {
  subdomain: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]*$/i, 'must be the account name only, as in <subdomain>.zendesk.com')
    .optional(),
  base_url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  email: z.email('must be an email address').optional(),
  api_token: z.string().min(1, 'is required').optional(),
  oauth_token: z.string().min(1, 'is required').optional(),
};

interface AccountConfig {
  subdomain?: string | undefined;
  base_url?: string | undefined;
  email?: string | undefined;
  api_token?: string | undefined;
  oauth_token?: string | undefined;
}

/** subdomain xor base_url; email + api_token xor oauth_token. */
export function checkAccount(c: AccountConfig, ctx: z.RefinementCtx): void {
  if ((c.subdomain === undefined) === (c.base_url === undefined)) {
    ctx.addIssue({ code: 'custom', path: ['subdomain'], message: 'set exactly one of subdomain or base_url' });
  }
  const tokenAuth = c.email !== undefined || c.api_token !== undefined;
  if (tokenAuth && c.oauth_token !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['oauth_token'], message: 'set either email + api_token or oauth_token, not both' });
  } else if (!tokenAuth && c.oauth_token === undefined) {
    ctx.addIssue({ code: 'custom', path: ['api_token'], message: 'set email + api_token or oauth_token' });
  } else if (tokenAuth && (c.email === undefined || c.api_token === undefined)) {
    ctx.addIssue({ code: 'custom', path: [c.email === undefined ? 'email' : 'api_token'], message: 'email and api_token go together' });
  }
}

/** Retry-After as milliseconds: delay-seconds or an HTTP date (formats.md A, "Rate limits"). */
export function parseRetryAfter(value: string | null): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** An error's message with its cause's (fetch puts the socket error there). */
export function messageOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}

/** Fields rotated together: running jobs take their current values from the connection (see SourcePlugin.credentialFields). */
export const ACCOUNT_CREDENTIAL_FIELDS = ['email', 'api_token', 'oauth_token'] as const;

/** Fields naming the account the credentials belong to: a connection moved elsewhere keeps running jobs on their own copy. */
export const ACCOUNT_DESTINATION_FIELDS = ['subdomain', 'base_url'] as const;

/** `https://{subdomain}.zendesk.com`, or base_url without its trailing slash. */
export function accountUrlOf(config: { subdomain?: string | undefined; base_url?: string | undefined }): string {
  if (config.base_url !== undefined) return config.base_url.replace(/\/+$/, '');
  return `https://${config.subdomain ?? ''}.zendesk.com`;
}

/**
 * The scope under which the sink records its writes and the source looks them up (OwnWrites): the
 * account, whichever connection (or inline config) reached it, so two connections to one account agree.
 */
export function writeScopeOf(config: { subdomain?: string | undefined; base_url?: string | undefined }): string {
  return `zendesk:${accountUrlOf(config).toLowerCase()}`;
}
