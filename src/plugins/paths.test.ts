import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileRoots, PathOutsideRootsError, resolveInsideRoots } from './paths.ts';

const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'paths-')));
const outside = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'paths-outside-')));
const dataDir = path.join(root, 'state');
fs.mkdirSync(path.join(root, 'exports'));
fs.mkdirSync(dataDir);
fs.writeFileSync(path.join(root, 'exports', 'reviews.csv'), 'id,text\n');
fs.writeFileSync(path.join(dataDir, 'secret.key'), 'k');
fs.writeFileSync(path.join(outside, 'elsewhere.csv'), 'x');
fs.symlinkSync(path.join(root, 'exports', 'reviews.csv'), path.join(root, 'alias.csv'));
fs.symlinkSync(path.join(dataDir, 'secret.key'), path.join(root, 'exports', 'key.csv'));
fs.symlinkSync(path.join(outside, 'elsewhere.csv'), path.join(root, 'exports', 'out.csv'));
fs.symlinkSync(path.join(outside, 'missing.csv'), path.join(root, 'exports', 'dangling.csv'));
fs.mkdirSync(path.join(root, '.git'));
const roots = fileRoots([root], [dataDir]);

const refused = (p: string) => assert.rejects(resolveInsideRoots(p, roots), PathOutsideRootsError, p);

test('a file inside the roots resolves to its real path, a link to where it leads', async () => {
  assert.equal(await resolveInsideRoots('exports/reviews.csv', roots), path.join(root, 'exports', 'reviews.csv'));
  assert.equal(await resolveInsideRoots('alias.csv', roots), path.join(root, 'exports', 'reviews.csv'));
  assert.equal(await resolveInsideRoots('new/folder/out.jsonl', roots), path.join(root, 'new', 'folder', 'out.jsonl'), 'a file to be created');
});

test('outside the roots, through a link or not, is refused', async () => {
  await refused('../x.csv');
  await refused(path.join(outside, 'elsewhere.csv'));
  await refused('exports/out.csv');
});

test('hidden names, the data directory, and links into either are refused', async () => {
  await refused('.env');
  await refused('.git/config');
  await refused('exports/.hidden.csv');
  await refused('state/secret.key');
  await refused('state/anything-new.jsonl');
  await refused('exports/key.csv');
});

test('a dangling link is refused: writing through it would create its target wherever it points', async () => {
  await refused('exports/dangling.csv');
  await refused('exports/dangling.csv/below');
  assert.equal(fs.existsSync(path.join(outside, 'missing.csv')), false);
});
