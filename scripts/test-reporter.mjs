// A node:test reporter for CI (.ci/run): node's own output (TAP when stdout is not a terminal, as `npm test`
// gives today; spec on a terminal), plus the ten slowest test files with their seconds, printed just before
// the closing summary (# tests … # pass N # fail N … # duration_ms), which stays the last lines.
//
//   BATCHLINE_TEST_ARGS="--test-reporter=./scripts/test-reporter.mjs --test-reporter-destination=stdout" npm test
//
// A file's time is the wall time of its test process (imports included), from the runner's file-level
// `test:complete` event (node >= 20.x); failing that, the sum of the file's top-level tests.
import path from 'node:path';
import { Readable } from 'node:stream';
import { spec, tap } from 'node:test/reporters';

const TOP = 10;

export default async function* slowestFiles(source) {
  const events = withSlowestFiles(source);
  if (!process.stdout.isTTY) {
    yield* tap(events);
    return;
  }
  const out = Readable.from(events).pipe(spec());
  for await (const chunk of out) yield chunk;
}

async function* withSlowestFiles(source) {
  /** file → ms, from the file-level events (the runner's test for the whole file). */
  const fileMs = new Map();
  /** file → ms, summed over its top-level tests: the fallback. */
  const testsMs = new Map();
  let printed = false;
  for await (const event of source) {
    const data = event.data ?? {};
    if (event.type === 'test:complete' && data.file && data.nesting === 0) {
      const ms = Number(data.details?.duration_ms ?? 0);
      if (data.name === data.file) fileMs.set(data.file, ms);
      else testsMs.set(data.file, (testsMs.get(data.file) ?? 0) + ms);
    }
    // The root's summary starts with "tests N": the table goes just before it.
    if (!printed && event.type === 'test:diagnostic' && !data.file && data.nesting === 0 && /^tests \d+$/.test(String(data.message))) {
      printed = true;
      yield* table(fileMs.size > 0 ? fileMs : testsMs);
    }
    yield event;
  }
  if (!printed) yield* table(fileMs.size > 0 ? fileMs : testsMs);
}

function* table(byFile) {
  const rows = [...byFile].sort((a, b) => b[1] - a[1]).slice(0, TOP);
  if (rows.length === 0) return;
  const diagnostic = (message) => ({ type: 'test:diagnostic', data: { nesting: 0, message } });
  yield diagnostic(`slowest ${rows.length} of ${byFile.size} test files (seconds, wall time of each file):`);
  for (const [file, ms] of rows) yield diagnostic(`${(ms / 1000).toFixed(1).padStart(7)}  ${path.relative(process.cwd(), file)}`);
}
