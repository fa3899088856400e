// The top-level help of `batchline`.
export const MAIN_USAGE = 'batchline <run|status|results|insights|cancel|delete|resume|compare|promote|plugins|connections|zendesk|secrets|serve> [options] (batchline --help for more)';

export const MAIN_HELP = `batchline — run document sets through Claude's Message Batches API, durably.

Usage:
  batchline run --source reviews --path reviews.csv --preset google-play --task review-insights --sink file:out.jsonl
  batchline run --job job.json          create a job and follow it with a progress bar until it ends
  batchline status <job> [--follow]     a job's counts, batches, cost; --follow watches it to the end
  batchline results <job> [--out FILE]  the results as NDJSON, to stdout or a file
  batchline insights <job> [--by FIELD] what the answers say: a bar per value, statistics, top phrases
  batchline run … --dry-run             what the job would cost; nothing is stored or sent
  batchline cancel <job> [--wait]       cancel the open work of a job
  batchline delete <job> [--wait]       delete a job, its text, answers and provider batches (a tombstone stays)
  batchline resume <job> [--max-usd N]  continue a job paused for its budget (or --accept-pilot)
  batchline compare … --sample N --arm A --arm B   two or more arms on a sample, compared (and scored against --labels)
  batchline promote <experiment> <arm>  run the chosen arm on the whole source, reusing the sample's answers
  batchline plugins [NAME]              source and sink plugins with their config fields
  batchline connections <list|show|create|update|delete> [NAME]
                                        named connections; update NAME --config api_token=@- rotates a token in place
  batchline zendesk setup …             one connection for a Zendesk account, the stream job writing triage back,
                                        and the webhook + trigger to create in Zendesk
  batchline secrets reseal              re-seal stored secrets under the current BATCHLINE_SECRET_KEY (key rotation)
  batchline serve                       run the service (HTTP API + worker), as npm start does

  batchline <command> --help            options of a command
  batchline --version

Environment:
  BATCHLINE_URL     a running Batchline server (e.g. http://127.0.0.1:8080); unset → each command runs an
                    embedded server for its duration: on DATABASE_URL when it is set (secrets sealed with
                    BATCHLINE_SECRET_KEY, or a key generated in the data dir), else PGlite in
                    BATCHLINE_DATA_DIR (default ./.batchline); the built-in batch simulator unless
                    ANTHROPIC_API_KEY is set. zendesk setup refuses to run without it (--embedded)
  BATCHLINE_TOKEN   bearer token for that server (one of its BATCHLINE_API_KEYS)
  NO_COLOR          no colors in the progress bar
  Every variable: docs/configuration.md

--config KEY=VALUE (run, compare, connections): VALUE @FILE is read from a file, @- from stdin, @@… is a
literal @; --unset FIELD removes a field (connections update; run and compare with --connection).

Exit codes: 0 success (run: the job completed), 1 failure (run: the job ended failed, canceled or
completed_with_errors), 2 usage error, 3 paused (run, resume: over budget or pilot failed), 130 interrupted.
`;
