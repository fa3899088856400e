// The hand-written script Batchline replaces, as the seed's recipe has it: read the CSV → build every
// request in memory → batches.create (100,000 a batch) → poll → stream results → write JSONL. Real SDK,
// no database, no retries. Args: <export.csv> <out.jsonl> <simulator url>. Prints one JSON line.
import fs from 'node:fs';
import Anthropic from '@anthropic-ai/sdk';
import { parse } from 'csv-parse/sync';
import { buildParams } from '../src/engine/documents/request.ts';
import { resolveTask } from '../src/tasks/registry.ts';

const [file, out, baseURL] = process.argv.slice(2);
if (!file || !out || !baseURL) throw new Error('usage: e2e-script.ts <export.csv> <out.jsonl> <simulator url>');
const started = performance.now();
const client = new Anthropic({ apiKey: 'bench', baseURL });
const task = resolveTask('review-insights');

const text = fs.readFileSync(file).toString('utf16le').replace(/^\uFEFF/, '');
const rows = parse(text, { columns: true, skip_empty_lines: true }) as Array<Record<string, string>>;
const requests = rows.map((row, i) => ({
  custom_id: `r${i}`,
  params: buildParams(task, { id: `r${i}`, text: row['Review Text'] ?? '', metadata: { rating: Number(row['Star Rating']) } }),
}));

const ids: string[] = [];
for (let start = 0; start < requests.length; start += 100_000) {
  ids.push((await client.messages.batches.create({ requests: requests.slice(start, start + 100_000) as never })).id);
}
const pending = new Set(ids);
while (pending.size > 0) {
  await new Promise((r) => setTimeout(r, 1000));
  for (const id of [...pending]) if ((await client.messages.batches.retrieve(id)).processing_status === 'ended') pending.delete(id);
}
const sink = fs.createWriteStream(out);
let written = 0;
for (const id of ids) {
  for await (const line of await client.messages.batches.results(id)) {
    const output = line.result.type === 'succeeded' ? line.result.message.content.find((b) => b.type === 'tool_use')?.input : null;
    if (!sink.write(`${JSON.stringify({ custom_id: line.custom_id, status: line.result.type, output })}\n`)) await new Promise<void>((r) => sink.once('drain', () => r()));
    written += 1;
  }
}
await new Promise<void>((resolve, reject) => sink.end((error?: Error | null) => (error ? reject(error) : resolve())));
console.log(JSON.stringify({ who: 'script', rows: rows.length, written, wall_ms: Math.round(performance.now() - started), peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024), cpu_s: { script: Math.round((process.cpuUsage().user + process.cpuUsage().system) / 1e5) / 10 } }));
