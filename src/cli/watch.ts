// Follows a job with the progress display until it ends, then prints the summary line; shared by
// `run`, `status --follow` and `cancel --wait`. Ctrl-C stops following, never the job on a server.
import { createProgressDisplay } from './display.ts';
import { INTERRUPTED, PAUSED, type CliContext } from './context.ts';
import { followJob } from './follow.ts';
import { exitCodeFor, jobDurationMs, pauseLines, summaryLine } from './progress.ts';
import { isPaused } from './types.ts';
import type { Session } from './session.ts';

export interface WatchOptions {
  /** Date.now() when this command began to wait for the job. */
  startedAt: number;
  /** Added to the elapsed time shown, e.g. the age of a job followed again later. */
  elapsedOffsetMs?: number;
}

/** The exit code: 0 completed, 1 ended otherwise, 3 paused for the user, 130 when Ctrl-C stopped following. */
export async function watchJob(session: Session, jobId: string, ctx: CliContext, options: WatchOptions): Promise<number> {
  const display = createProgressDisplay(ctx.stdout, {
    startedAt: options.startedAt,
    elapsedOffsetMs: options.elapsedOffsetMs ?? 0,
    color: ctx.env.NO_COLOR === undefined || ctx.env.NO_COLOR === '',
  });
  let job;
  try {
    job = await followJob(session.api, jobId, { display, signal: ctx.signal });
  } finally {
    display.stop();
  }
  if (!job) {
    ctx.stderr.write(
      session.embedded
        ? `batchline: interrupted; stopping the embedded server. Job ${jobId} is kept and resumes the next time Batchline runs on this data: batchline status ${jobId} --follow\n`
        : `batchline: stopped following job ${jobId}; it goes on on the server. Follow it again with: batchline status ${jobId} --follow\n`,
    );
    return INTERRUPTED;
  }
  // The wait this command saw; a job followed again later reports its own run time instead.
  const watched = Date.now() - options.startedAt;
  const duration = options.elapsedOffsetMs === undefined ? watched : jobDurationMs(job, watched + options.elapsedOffsetMs);
  ctx.stdout.write(`${summaryLine(job, duration)}\n`);
  if (isPaused(job.status)) {
    for (const line of pauseLines(job)) ctx.stdout.write(`${line}\n`);
    return PAUSED;
  }
  return exitCodeFor(job.status);
}
