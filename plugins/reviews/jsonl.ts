// Streaming JSON Lines: one JSON value per line, split on LF in the UTF-8 bytes (an LF byte never occurs
// inside a multi-byte character), so a line is decoded only once and the file is never held whole.
// Blank lines are skipped; a line that is not JSON is reported with its number and the read goes on.

export type JsonItem = { kind: 'value'; line: number; value: unknown } | { kind: 'broken'; line: number; reason: string };

/** A line longer than this is reported and skipped rather than buffered (a file that is not JSONL at all). */
const MAX_LINE_BYTES = 16 * 1024 * 1024;
const LF = 0x0a;

export async function* jsonItems(chunks: AsyncIterable<Buffer>): AsyncGenerator<JsonItem> {
  let line = 0;
  let carry: Buffer | undefined;
  let oversized = false; // inside a line already reported as too long: drop bytes up to its end
  for await (const chunk of chunks) {
    const buf = carry === undefined ? chunk : Buffer.concat([carry, chunk]);
    carry = undefined;
    let start = 0;
    for (let lf = buf.indexOf(LF, start); lf !== -1; lf = buf.indexOf(LF, start)) {
      line++;
      if (oversized) oversized = false;
      else {
        const item = itemOf(buf, start, lf, line);
        if (item !== undefined) yield item;
      }
      start = lf + 1;
    }
    if (start < buf.length && !oversized) {
      if (buf.length - start > MAX_LINE_BYTES) {
        oversized = true;
        yield { kind: 'broken', line: line + 1, reason: `line is longer than ${MAX_LINE_BYTES / 1024 / 1024} MiB` };
      } else {
        carry = buf.subarray(start);
      }
    }
  }
  if (carry !== undefined) {
    const item = itemOf(carry, 0, carry.length, line + 1);
    if (item !== undefined) yield item;
  }
}

function itemOf(buf: Buffer, start: number, end: number, line: number): JsonItem | undefined {
  if (end > start && buf[end - 1] === 0x0d) end--;
  const text = buf.toString('utf8', start, end);
  if (text.trim().length === 0) return undefined;
  try {
    return { kind: 'value', line, value: JSON.parse(text) as unknown };
  } catch (error) {
    // The parser's own message quotes the line: the reason names only where it broke, since it reaches API
    // answers and the line may be any file's content (issue #29).
    const position = /position (\d+)/.exec(error instanceof Error ? error.message : '')?.[1];
    return { kind: 'broken', line, reason: position === undefined ? 'not valid JSON' : `not valid JSON (at character ${Number(position) + 1})` };
  }
}
