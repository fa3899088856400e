// docs/configuration.md is generated from src/config.ts (scripts/env-table.ts): every variable the schema
// reads, its default as the schema has it, and its description. This keeps the committed file in step with
// the code, and every variable described; and the README pointing at it, inside the repository.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { CONFIGURATION_DOC, ROOT, descriptionProblems, renderConfigurationDoc } from '../scripts/env-table.ts';
import { CONFIG_DOCS, CONFIG_KEYS, loadConfig } from '../src/config.ts';

test('every variable of configSchema has a description, and says what unset means when the schema has no default', () => {
  assert.deepEqual(descriptionProblems(), []);
  assert.deepEqual(Object.keys(CONFIG_DOCS).sort(), [...CONFIG_KEYS].sort());
});

test('docs/configuration.md is what scripts/env-table.ts generates from src/config.ts (run: npx tsx scripts/env-table.ts)', () => {
  const committed = fs.existsSync(CONFIGURATION_DOC) ? fs.readFileSync(CONFIGURATION_DOC, 'utf8') : '';
  // A mismatch names the first line that differs rather than dumping two long files.
  if (committed !== renderConfigurationDoc()) {
    const want = renderConfigurationDoc().split('\n');
    const have = committed.split('\n');
    const at = want.findIndex((line, i) => line !== have[i]);
    assert.fail(`docs/configuration.md is stale at line ${at + 1}: regenerate it with npx tsx scripts/env-table.ts\n  expected: ${want[at]}\n  found:    ${have[at]}`);
  }
});

test('the table has one row per variable, with the defaults loadConfig applies', () => {
  const doc = renderConfigurationDoc();
  const rows = new Map(
    doc
      .split('\n')
      .map((line) => /^\| `([A-Z0-9_]+)` \| (.*?) \| /.exec(line))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => [m[1] as string, m[2] as string]),
  );
  assert.deepEqual([...rows.keys()], [...CONFIG_KEYS]);
  const defaults = loadConfig({}) as unknown as Record<string, unknown>;
  for (const key of ['PORT', 'POLL_MIN_MS', 'POLL_MAX_MS', 'MAX_ATTEMPTS', 'BATCH_MAX_REQUESTS', 'BATCH_MAX_BYTES', 'BATCHLINE_DELIVERY_BATCH', 'BATCHLINE_SINK_CONCURRENCY']) {
    assert.ok(rows.get(key)?.startsWith(`\`${String(defaults[key])}\``), `${key}: ${rows.get(key)} shows ${String(defaults[key])}`);
  }
  assert.match(rows.get('BATCHLINE_FILE_ROOTS') ?? '', /working directory/);
  assert.match(doc, /`BATCHLINE_FILE_ROOTS` \|[^\n]*`:`-separated/);
});

test('the README links to the generated table and sends no one outside the repository', () => {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  assert.match(readme, /\]\(docs\/configuration\.md\)/);
  assert.ok(!readme.includes('../shared/'), 'README.md points outside the repository');
  for (const doc of ['docs/operations.md', 'docs/plugins.md', 'docs/configuration.md']) {
    assert.ok(!fs.readFileSync(path.join(ROOT, doc), 'utf8').includes('CONTRACT.md'), `${doc} points at CONTRACT.md, which is not in the repository`);
  }
});
