// `batchline zendesk setup`: the whole Zendesk round trip in one command. It creates (or updates in place)
// one connection for the account, starts the stream job that triages new tickets and writes the triage
// back, and prints the webhook and trigger to create in Zendesk. Running it again is safe: it changes only
// what it is given and starts no second stream job. Secrets come from files or stdin, never flags.
// It sets up the deployment at BATCHLINE_URL: without it, a command would configure a throwaway embedded
// server on this machine that Zendesk cannot reach, so it refuses unless --embedded says that is meant.
import type { FullApi } from '../api.ts';
import { parseCommandArgs } from '../args.ts';
import type { CliContext } from '../context.ts';
import { readCliEnv } from '../env.ts';
import { ApiProblemError, CliError, UsageError } from '../errors.ts';
import { readSecretSource } from '../secret-values.ts';
import { withSession } from '../session.ts';
import { setupInstructions, TRIGGER_BODY, triggerConditions, webhookUrlOf, type SetupPlan } from '../zendesk-instructions.ts';
import type { ConnectionInfo } from './connections.ts';

export const ZENDESK_USAGE =
  'batchline zendesk setup [--name zd] (--subdomain S | --base-url URL) --email E (--api-token-file F | --oauth-token-file F) [--webhook-secret-file F] [--public-url URL] [--task T] [--embedded] [--json]';

export const ZENDESK_HELP = `Set up the Zendesk round trip: new tickets triaged and the triage written back to each ticket.

Usage:
  export BATCHLINE_URL=https://batchline.acme.example BATCHLINE_TOKEN=…   (the deployment Zendesk will call)
  batchline zendesk setup --subdomain acme --email ops@acme.example --api-token-file token.txt
  batchline zendesk setup --webhook-secret-file -      (then: the webhook's signing secret on stdin)

It works on the Batchline server at BATCHLINE_URL (with BATCHLINE_TOKEN when it has BATCHLINE_API_KEYS):
without BATCHLINE_URL it refuses and changes nothing, because it would set up the connection and the
stream job on an embedded server of this one command (PGlite in BATCHLINE_DATA_DIR, or DATABASE_URL with
this machine's secret key), which Zendesk cannot reach. --embedded does that on purpose (a local trial).

It creates the connection (one for the account: it reads tickets and writes back), prints the Zendesk
webhook and trigger to create, and, once the webhook's signing secret is known, starts the stream job.
Run again to rotate a token or to add the signing secret: the connection is updated in place.

Options:
  --name NAME                the connection's name (default zd)
  --subdomain S | --base-url URL
                             the account: <S>.zendesk.com, or its full URL
  --email E                  the Zendesk user Batchline signs in as (with --api-token-file)
  --api-token-file F         its API token (F = - reads stdin)
  --oauth-token-file F       or an OAuth access token
  --webhook-secret-file F    the signing secret Zendesk shows for the webhook
  --public-url URL           where Zendesk reaches Batchline (default BATCHLINE_URL)
  --task T                   the task of the stream job (default ticket-triage: written back without a mapping)
  --embedded                 without BATCHLINE_URL: set it up on an embedded server all the same (a local trial)
  --json                     print what was done as JSON
  -h, --help                 this help
`;

const OPTIONS = {
  name: { type: 'string' },
  subdomain: { type: 'string' },
  'base-url': { type: 'string' },
  email: { type: 'string' },
  'api-token-file': { type: 'string' },
  'oauth-token-file': { type: 'string' },
  'webhook-secret-file': { type: 'string' },
  'public-url': { type: 'string' },
  task: { type: 'string' },
  embedded: { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

interface JobInfo {
  id: string;
  source?: { connection: string | null; open: boolean } | null;
}

export async function zendeskCommand(args: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, OPTIONS, ZENDESK_USAGE);
  if (values.help) {
    ctx.stdout.write(ZENDESK_HELP);
    return 0;
  }
  if (positionals[0] !== 'setup') throw new UsageError(positionals[0] === undefined ? 'missing action (setup)' : `unknown action "${positionals[0]}"`, ZENDESK_USAGE);
  if (positionals.length > 1) throw new UsageError(`unexpected argument "${positionals[1]}"`, ZENDESK_USAGE);
  const { url } = readCliEnv(ctx.env);
  if (url === undefined && !values.embedded) {
    // Refused before anything is read or started: nothing changes, no data dir is created.
    const dataDir = ctx.env.BATCHLINE_DATA_DIR?.trim() || './.batchline';
    const where = !ctx.env.DATABASE_URL?.trim()
      ? `a throwaway embedded server in ${dataDir}, which Zendesk cannot reach`
      : ctx.env.BATCHLINE_SECRET_KEY?.trim()
        ? 'an embedded server of its own on DATABASE_URL, which Zendesk cannot reach'
        : `an embedded server of its own on DATABASE_URL, sealing the token with a key generated in ${dataDir} that no replica can open`;
    throw new UsageError(`zendesk setup configures the deployment Zendesk calls: set BATCHLINE_URL (and BATCHLINE_TOKEN) to it first; without it this command would use ${where} (add --embedded if that is what you mean)`);
  }
  if (url !== undefined && values.embedded) throw new UsageError('--embedded is for when BATCHLINE_URL is not set (this command would use the server at BATCHLINE_URL)', ZENDESK_USAGE);
  const name = values.name ?? 'zd';
  if (values.subdomain !== undefined && values['base-url'] !== undefined) throw new UsageError('give --subdomain or --base-url, not both', ZENDESK_USAGE);
  if (values['api-token-file'] !== undefined && values['oauth-token-file'] !== undefined) throw new UsageError('give --api-token-file or --oauth-token-file, not both', ZENDESK_USAGE);
  const fromStdin = [values['api-token-file'], values['oauth-token-file'], values['webhook-secret-file']].filter((f) => f === '-').length;
  if (fromStdin > 1) throw new UsageError('only one secret can come from stdin (-)', ZENDESK_USAGE);

  const config: Record<string, unknown> = {};
  if (values.subdomain !== undefined) Object.assign(config, { subdomain: values.subdomain, base_url: null });
  if (values['base-url'] !== undefined) Object.assign(config, { base_url: values['base-url'], subdomain: null });
  if (values.email !== undefined) config.email = values.email;
  if (values['api-token-file'] !== undefined) Object.assign(config, { api_token: await readSecretSource(values['api-token-file'], ctx, '--api-token-file'), oauth_token: null });
  if (values['oauth-token-file'] !== undefined) Object.assign(config, { oauth_token: await readSecretSource(values['oauth-token-file'], ctx, '--oauth-token-file'), api_token: null, email: null });
  if (values['webhook-secret-file'] !== undefined) config.webhook_secret = await readSecretSource(values['webhook-secret-file'], ctx, '--webhook-secret-file');

  return withSession(ctx.env, { command: 'zendesk setup' }, async (session) => {
    const { api } = session;
    const connection = await upsertConnection(api, name, config);
    const publicUrl = values['public-url'] ?? (session.embedded ? undefined : api.target.baseUrl);
    if (publicUrl === undefined) ctx.stderr.write('batchline: warning: no --public-url: the webhook URL below is this machine\'s embedded server; give the address Zendesk reaches Batchline at\n');
    const webhookSecretSet = connection.secret_fields_set.includes('webhook_secret');
    const job = webhookSecretSet ? await ensureStreamJob(api, name, values.task ?? 'ticket-triage') : undefined;
    const plan: SetupPlan = {
      connection: name,
      publicUrl: publicUrl ?? api.target.baseUrl,
      apiUser: typeof connection.config.email === 'string' ? connection.config.email : undefined,
      webhookSecretSet,
      job,
    };
    if (values.json) {
      ctx.stdout.write(
        `${JSON.stringify(
          {
            connection,
            job: job ?? null,
            webhook: { endpoint_url: webhookUrlOf(plan), http_method: 'POST', request_format: 'json', signing_secret_set: webhookSecretSet },
            trigger: { conditions: triggerConditions(plan.apiUser), body: TRIGGER_BODY },
          },
          null,
          2,
        )}\n`,
      );
    } else {
      ctx.stdout.write(`${setupInstructions(plan).join('\n')}\n`);
      if (session.embedded && job) ctx.stdout.write('This command ran an embedded server: the stream job takes tickets once `batchline serve` runs on this data dir.\n');
    }
    return 0;
  });
}

/** Creates the connection, or updates the one of that name in place (a zendesk one only). */
async function upsertConnection(api: FullApi, name: string, config: Record<string, unknown>): Promise<ConnectionInfo> {
  let existing: ConnectionInfo | undefined;
  try {
    existing = await api.get<ConnectionInfo>(`/v1/connections/${encodeURIComponent(name)}`);
  } catch (error) {
    if (!(error instanceof ApiProblemError && error.status === 404)) throw error;
  }
  if (!existing) {
    const fresh = Object.fromEntries(Object.entries(config).filter(([, v]) => v !== null));
    if (fresh.subdomain === undefined && fresh.base_url === undefined) throw new UsageError(`connection "${name}" does not exist yet: give --subdomain (or --base-url)`, ZENDESK_USAGE);
    if (fresh.api_token === undefined && fresh.oauth_token === undefined) throw new UsageError(`connection "${name}" does not exist yet: give --email and --api-token-file (or --oauth-token-file)`, ZENDESK_USAGE);
    return api.post<ConnectionInfo>('/v1/connections', { name, plugin: 'zendesk', config: fresh });
  }
  if (existing.plugin !== 'zendesk') throw new CliError(`connection "${name}" is a ${existing.plugin} connection; choose another --name`);
  if (existing.kind !== null && existing.kind !== undefined) {
    throw new CliError(`connection "${name}" is restricted to kind ${existing.kind}; the round trip needs one that reads and writes back: choose another --name`);
  }
  return Object.keys(config).length > 0 ? api.patch<ConnectionInfo>(`/v1/connections/${encodeURIComponent(name)}`, { config }) : existing;
}

/** The open stream job on the connection, or a new one writing back through the same connection. */
async function ensureStreamJob(api: FullApi, connection: string, task: string): Promise<{ id: string; created: boolean }> {
  // Job summaries do not name their source: the unfinished jobs are looked at one by one (there are few).
  // Ingesting first: a job only moves on from there to running, so one moving meanwhile is still found.
  for (const status of ['ingesting', 'running']) {
    const { data } = await api.get<{ data: Array<{ id: string }> }>(`/v1/jobs?status=${status}&limit=100`);
    for (const { id } of data) {
      const job = await api.get<JobInfo>(`/v1/jobs/${encodeURIComponent(id)}`);
      if (job.source?.connection === connection && job.source.open) return { id: job.id, created: false };
    }
  }
  const job = await api.post<JobInfo>('/v1/jobs', {
    name: `${connection}-stream`,
    task,
    source: { connection, config: { stream: true } },
    sinks: [{ connection }],
  });
  return { id: job.id, created: true };
}
