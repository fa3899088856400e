// Shows a followed job on stdout: on a TTY one line redrawn in place (\r, erase-line, hidden cursor that is
// always given back, even on exit or Ctrl-C); elsewhere a plain line each time the job changes.
import type { JobSnapshot } from './types.ts';
import { plainLine, plainState, ttyLine } from './progress.ts';

export interface ProgressDisplay {
  /** The latest snapshot of the job. */
  update(job: JobSnapshot): void;
  /** A transient note (reconnecting …) shown until the next update. */
  note(text: string): void;
  /** Leaves the last state on screen, ends the line and gives the cursor back. */
  stop(): void;
}

export interface DisplayOptions {
  /** When following started (Date.now()); the elapsed time counts from here. */
  startedAt: number;
  /** Offset added to the elapsed time, e.g. the job's age when following an existing job. */
  elapsedOffsetMs?: number;
  color?: boolean;
}

const HIDE_CURSOR = '\x1b[?25l';
const SHOW_CURSOR = '\x1b[?25h';
const ERASE_LINE = '\x1b[2K';
const REDRAW_MS = 100;

export function createProgressDisplay(out: NodeJS.WriteStream, options: DisplayOptions): ProgressDisplay {
  const elapsed = () => Date.now() - options.startedAt + (options.elapsedOffsetMs ?? 0);
  return out.isTTY ? ttyDisplay(out, elapsed, options.color ?? true) : plainDisplay(out, elapsed);
}

function ttyDisplay(out: NodeJS.WriteStream, elapsed: () => number, color: boolean): ProgressDisplay {
  let job: JobSnapshot | undefined;
  let noteText: string | undefined;
  let frame = 0;
  let stopped = false;
  const showCursor = () => out.write(SHOW_CURSOR);
  process.on('exit', showCursor);
  out.write(HIDE_CURSOR);

  const draw = () => {
    if (!job) return;
    let line = ttyLine(job, { elapsedMs: elapsed(), columns: out.columns || 80, color, frame: frame++ });
    if (noteText) line = `${line}  ${noteText}`.slice(0, Math.max(20, (out.columns || 80) - 1));
    out.write(`\r${ERASE_LINE}${line}`);
  };
  // Redraws between polls keep the spinner and the elapsed time moving.
  const timer = setInterval(draw, REDRAW_MS);
  timer.unref();

  return {
    update(next) {
      job = next;
      noteText = undefined;
      draw();
    },
    note(text) {
      noteText = text;
      draw();
    },
    stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      noteText = undefined;
      draw();
      out.write(job ? '\n' : '');
      showCursor();
      process.off('exit', showCursor);
    },
  };
}

function plainDisplay(out: NodeJS.WriteStream, elapsed: () => number): ProgressDisplay {
  let last: string | undefined;
  let lastNote: string | undefined;
  return {
    update(job) {
      lastNote = undefined;
      const state = plainState(job);
      if (state === last) return;
      last = state;
      out.write(`${plainLine(job, elapsed())}\n`);
    },
    note(text) {
      if (text === lastNote) return;
      lastNote = text;
      out.write(`${text}\n`);
    },
    stop() {},
  };
}
