// The OpenAPI document's header (info and tags), for /openapi.json and `npm run openapi`.

/** The document's header: what every operation shares (auth, errors, pagination, idempotency, signatures). */
export const OPENAPI_INFO = {
  openapi: '3.1.0',
  info: {
    title: 'Batchline API',
    version: '0.1.0',
    description: [
      "Runs document sets through Claude's Message Batches API (half price, asynchronous) and delivers schema-validated results.",
      '',
      '- **Auth**: when the server has `BATCHLINE_API_KEYS`, every `/v1` route except the two signed ones needs `Authorization: Bearer <key>`. ' +
        '`/healthz`, `/readyz`, `/openapi.json` and the reference page `/docs` need none.',
      '- **Signed routes**: `POST /v1/callbacks/batches` (Standard Webhooks, `WEBHOOK_SECRET`) and `POST /v1/connections/{name}/webhook` ' +
        "(the source's own scheme, e.g. Zendesk's) are authenticated by their signature.",
      '- **Errors** are RFC 9457 `application/problem+json` with a stable `code`; a 422 lists every invalid field in `errors`.',
      '- **Lists** are cursor-paginated: pass `next_cursor` back as `cursor` until it is null.',
      '- **Idempotency**: `POST /v1/jobs` takes an `Idempotency-Key` header; a replay returns the job created first.',
      '- **Rate limit**: per client (`BATCHLINE_RATE_LIMIT_RPS`); a 429 says how long to wait in `Retry-After`.',
    ].join('\n'),
  },
  tags: [
    { name: 'jobs', description: 'Create jobs, follow them, read their results, cancel, retry, close' },
    { name: 'experiments', description: 'Pit prompts and models against each other on a sample, compare the answers (and score them against gold labels), then promote the winner to a full job' },
    { name: 'deliveries', description: "A job's outbox: each final result delivered to each sink, and replays" },
    { name: 'connections', description: "Named, configured plugin instances for a team's systems (secrets write-only), and their inbound webhooks" },
    { name: 'tasks', description: 'Built-in tasks and the JSON Schema of their answers' },
    { name: 'plugins', description: 'Source and sink plugins with the JSON Schema of their config' },
    { name: 'callbacks', description: 'Signed completion events for provider batches' },
    { name: 'secrets', description: 'Rotating BATCHLINE_SECRET_KEY: re-seal what is stored under the current key' },
    { name: 'health', description: 'Liveness and readiness probes' },
  ],
};
