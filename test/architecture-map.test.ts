// The layout as docs/architecture.md draws it, held against the tree: every folder is on the map, the
// engine's groups import one way, and no file of src/ reaches itself through its imports.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

const root = path.resolve(import.meta.dirname, '..');

function foldersUnder(dir: string): string[] {
  const found: string[] = [];
  for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const child = `${dir}/${entry.name}`;
    found.push(`${child}/`, ...foldersUnder(child));
  }
  return found;
}

function mapFolders(): string[] {
  const doc = fs.readFileSync(path.join(root, 'docs/architecture.md'), 'utf8');
  const section = /<!-- map:start -->([\s\S]*?)<!-- map:end -->/.exec(doc)?.[1];
  assert.ok(section, 'docs/architecture.md has a map between <!-- map:start --> and <!-- map:end -->');
  return [...section.matchAll(/^- `([^`]+)`/gm)].map((m) => m[1] ?? '');
}

/** Production files of src/ (tests left out) and the relative imports each makes, resolved to repository paths. */
function importGraph(): Map<string, string[]> {
  const files = [...fs.readdirSync(path.join(root, 'src'), { recursive: true, encoding: 'utf8' })]
    .filter((f) => /\.tsx?$/.test(f) && !/\.test\.tsx?$/.test(f))
    .map((f) => `src/${f.split(path.sep).join('/')}`);
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const text = fs.readFileSync(path.join(root, file), 'utf8');
    const targets = [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)]
      .map((m) => path.posix.normalize(path.posix.join(path.posix.dirname(file), m[1] ?? '')))
      .filter((target) => target.startsWith('src/'));
    graph.set(file, targets);
  }
  return graph;
}

const ENGINE_GROUP_ORDER = ['documents', 'money', 'intake', 'batches', 'views', 'delivery', 'lifecycle'];

function engineGroupOf(file: string): string | undefined {
  const m = /^src\/engine\/([^/]+)\//.exec(file);
  if (!m) return file.startsWith('src/engine/') ? 'core' : undefined;
  return m[1];
}

test('the map in docs/architecture.md names every folder of src/ (and plugins/), and only those', () => {
  const onMap = mapFolders();
  const inTree = [...foldersUnder('src'), 'src/', 'plugins/'];
  assert.deepEqual([...onMap].sort(), [...new Set(inTree)].sort());
  assert.equal(new Set(onMap).size, onMap.length, 'each folder once');
});

test('the engine root holds the core and the groups, each group with a README that opens it', () => {
  const entries = fs.readdirSync(path.join(root, 'src/engine'), { withFileTypes: true });
  assert.ok(entries.length <= 12, `src/engine/ has ${entries.length} entries at its root`);
  const groups = entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
  assert.deepEqual(groups, [...ENGINE_GROUP_ORDER].sort());
  for (const group of groups) assert.ok(fs.existsSync(path.join(root, 'src/engine', group, 'README.md')), `${group}/README.md`);
});

test("the engine's groups import one way: each only from groups earlier in the order the map's text states, and the core from none", () => {
  const climbs: string[] = [];
  for (const [file, targets] of importGraph()) {
    const from = engineGroupOf(file);
    if (from === undefined) continue;
    for (const target of targets) {
      const to = engineGroupOf(target);
      if (to === undefined || to === from || to === 'core') continue;
      if (from === 'core' || ENGINE_GROUP_ORDER.indexOf(to) > ENGINE_GROUP_ORDER.indexOf(from)) climbs.push(`${file} -> ${target}`);
    }
  }
  assert.deepEqual(climbs, []);
});

test('no file of src/ imports itself through a circle', () => {
  const graph = importGraph();
  const state = new Map<string, 'open' | 'done'>();
  const circles: string[] = [];
  const visit = (file: string, trail: string[]): void => {
    if (state.get(file) === 'done') return;
    if (state.get(file) === 'open') {
      circles.push([...trail.slice(trail.indexOf(file)), file].join(' -> '));
      return;
    }
    state.set(file, 'open');
    for (const target of graph.get(file) ?? []) visit(target, [...trail, file]);
    state.set(file, 'done');
  };
  for (const file of graph.keys()) visit(file, []);
  assert.deepEqual(circles, []);
});
