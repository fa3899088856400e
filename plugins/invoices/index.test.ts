import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { z } from 'zod';
import { pino } from 'pino';
import type { SourceContext, SourceDocument } from '../../src/plugins/contract.ts';
import { SourceConfigError } from '../../src/plugins/contract.ts';
import { DEFAULT_MAX_FILE_BYTES } from './config.ts';
import { factsCacheStats } from './facts-cache.ts';
import { ciiInvoiceXml, compressedPdf, encryptedPdf, minimalPdf, tinyPng, writeInvoiceFolder } from './fixtures.ts';
import { invoicesSource, type InvoicesConfig } from './index.ts';

const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'invoices-')));
const outside = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'invoices-outside-')));
const log = pino({ level: 'silent' });
after(() => {
  fs.rmSync(root, { recursive: true, force: true });
  fs.rmSync(outside, { recursive: true, force: true });
});

function ctxOf(signal = new AbortController().signal): SourceContext {
  return { log, fileRoots: [root], signal, cursor: undefined, checkpoint: async () => {}, connection: undefined };
}

function configOf(input: Record<string, unknown>): InvoicesConfig {
  return invoicesSource.configSchema.parse(input);
}

async function readAll(input: Record<string, unknown>, ctx = ctxOf()): Promise<SourceDocument[]> {
  const docs: SourceDocument[] = [];
  for await (const doc of invoicesSource.read(configOf(input), ctx)) docs.push(doc);
  return docs;
}

function folder(name: string, files: Record<string, Buffer | string> = {}): string {
  const dir = path.join(root, name);
  for (const [rel, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), content);
  }
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');
const byPath = (docs: SourceDocument[]) => new Map(docs.map((d) => [d.metadata?.path as string, d]));

test('an invoice folder gives 6 documents and 2 failures with reasons; .DS_Store is skipped', async () => {
  const dir = folder('practice');
  const expected = writeInvoiceFolder(dir);
  const docs = await readAll({ path: 'practice' });

  assert.deepEqual(docs.map((d) => d.metadata?.path), [...expected.sendable, ...expected.failed.too_many_pages, ...expected.failed.unsupported_file].sort());
  const sent = docs.filter((d) => !d.failure);
  assert.deepEqual(sent.map((d) => d.title).sort(), [...expected.sendable].sort());
  const failed = docs.filter((d) => d.failure);
  assert.deepEqual(failed.map((d) => [d.metadata?.file_name, d.failure?.type]).sort(), [
    ['catalogue-700-pages.pdf', 'too_many_pages'],
    ['scan.pdf', 'unsupported_file'],
  ]);
  const docsByPath = byPath(docs);
  assert.equal(docsByPath.get('scan.pdf')?.failure?.message, 'scan.pdf: content is not a PDF (no %PDF- header), image, XML or text');
  assert.match(docsByPath.get('catalogue-700-pages.pdf')?.failure?.message ?? '', /catalogue-700-pages\.pdf: the PDF has 700 pages; at most 600/);
  assert.ok(failed.every((d) => !d.files && d.text === undefined), 'a failed document carries nothing to send');

  for (const name of ['INV-1001.pdf', 'INV-1002.pdf', 'INV-1003.pdf', 'receipt-photo.jpg', 'scan-0001.png']) {
    const doc = docsByPath.get(name);
    const bytes = fs.readFileSync(path.join(dir, name));
    const mediaType = name.endsWith('.pdf') ? 'application/pdf' : name.endsWith('.jpg') ? 'image/jpeg' : 'image/png';
    assert.equal(doc?.id, `sha256:${sha256(bytes)}`);
    assert.deepEqual(doc?.files, [{ media_type: mediaType, path: path.join(dir, name), sha256: sha256(bytes), bytes: bytes.length, name }]);
    assert.equal(doc?.text, `Invoice file: ${name}`);
    assert.equal(doc?.metadata?.format, name.endsWith('.pdf') ? 'pdf' : 'image');
    assert.equal(doc?.metadata?.media_type, mediaType);
    assert.equal(doc?.metadata?.bytes, bytes.length);
  }
  assert.equal(docsByPath.get('INV-1003.pdf')?.metadata?.pages, 3, 'pages counted inside the compressed object stream');

  const ubl = docsByPath.get('INV-2001.xml');
  assert.equal(ubl?.metadata?.format, 'ubl');
  assert.equal(ubl?.metadata?.media_type, 'application/xml');
  assert.equal(ubl?.text, fs.readFileSync(path.join(dir, 'INV-2001.xml'), 'utf8'));
  assert.equal(ubl?.files, undefined);
  assert.ok(JSON.stringify(docs).length < 20_000, 'documents hold paths and hashes, never file bytes');
});

test('subfolders are read only when recursive is on, in a fixed order; hidden folders never', async () => {
  folder('nested', {
    'b.pdf': minimalPdf(1, 'B'),
    'a.pdf': minimalPdf(1, 'A'),
    '2024/05/c.pdf': minimalPdf(1, 'C'),
    '2024/01/d.xml': ciiInvoiceXml('D-1'),
    '.git/config.txt': 'not an invoice',
  });
  assert.deepEqual((await readAll({ path: 'nested' })).map((d) => d.metadata?.path), ['a.pdf', 'b.pdf']);
  const deep = await readAll({ path: 'nested', recursive: true });
  assert.deepEqual(deep.map((d) => d.metadata?.path), ['2024/01/d.xml', '2024/05/c.pdf', 'a.pdf', 'b.pdf']);
  assert.equal(deep[0]?.metadata?.format, 'cii');
  assert.deepEqual(await readAll({ path: 'nested', recursive: true }), deep, 'the same folder reads the same way again');
});

test('a symlink leading outside the roots is a failed document and is never read', async () => {
  fs.writeFileSync(path.join(outside, 'secret.txt'), 'TOP-SECRET-PAYROLL');
  fs.mkdirSync(path.join(outside, 'elsewhere'), { recursive: true });
  fs.writeFileSync(path.join(outside, 'elsewhere', 'x.pdf'), minimalPdf(1, 'outside'));
  const dir = folder('links', { 'real/inside.pdf': minimalPdf(1, 'inside') });
  fs.symlinkSync(path.join(outside, 'secret.txt'), path.join(dir, 'invoice.pdf'));
  fs.symlinkSync(path.join(outside, 'elsewhere'), path.join(dir, 'archive'));
  fs.symlinkSync(path.join(dir, 'real', 'inside.pdf'), path.join(dir, 'alias.pdf'));
  fs.symlinkSync(path.join(dir, 'gone.pdf'), path.join(dir, 'broken.pdf'));

  const docs = byPath(await readAll({ path: 'links', recursive: true }));
  assert.deepEqual(docs.get('invoice.pdf')?.failure?.type, 'outside_roots');
  assert.match(docs.get('invoice.pdf')?.failure?.message ?? '', /^invoice\.pdf: .*outside BATCHLINE_FILE_ROOTS/);
  assert.equal(docs.get('invoice.pdf')?.id, 'file:invoice.pdf');
  assert.equal(docs.get('archive')?.failure?.type, 'outside_roots', 'a linked folder outside is not walked');
  assert.ok(![...docs.keys()].some((p) => p.startsWith('archive/')));
  assert.ok(!JSON.stringify([...docs.values()]).includes('TOP-SECRET'));
  // A link that stays inside is followed, and refers to the real file.
  assert.equal(docs.get('alias.pdf')?.files?.[0]?.path, path.join(dir, 'real', 'inside.pdf'));
  assert.equal(docs.get('alias.pdf')?.id, docs.get('real/inside.pdf')?.id);
  assert.equal(docs.get('broken.pdf')?.failure?.type, 'unreadable_file');
});

test('the same content under two names is the same document; different content is not', async () => {
  const invoice = minimalPdf(2, 'Invoice B-2 total 20.00 EUR');
  const docs = await readAll({ path: path.relative(root, folder('dupes', { 'b.pdf': invoice, 'b-copy.pdf': invoice, 'c.pdf': minimalPdf(2, 'Invoice C-3'), 'x.xml': ciiInvoiceXml('1'), 'y.xml': ciiInvoiceXml('1') })) });
  const ids = new Map(docs.map((d) => [d.title, d.id]));
  assert.equal(ids.get('b.pdf'), ids.get('b-copy.pdf'));
  assert.equal(ids.get('x.xml'), ids.get('y.xml'));
  assert.notEqual(ids.get('b.pdf'), ids.get('c.pdf'));
  assert.equal(ids.get('b.pdf'), `sha256:${sha256(invoice)}`);
});

test('what the API would refuse fails up front, naming the file and the sizes', async () => {
  folder('limits', {
    'empty.pdf': '',
    'locked.pdf': encryptedPdf(1),
    'big.pdf': minimalPdf(40),
    'photo.png': Buffer.concat([tinyPng(), Buffer.alloc(3000)]),
    'long.txt': 'x'.repeat(5000),
    'scan.tif': Buffer.from('II*\x00\x08\x00\x00\x00 tiff body', 'latin1'),
    'no-tree.pdf': '%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n',
    'ok.pdf': minimalPdf(3),
    'notes.md': '# Invoice 7\n\nTotal: 10.00 EUR\n',
  });
  const docs = byPath(await readAll({ path: 'limits', max_file_bytes: 10_000, max_pages: 5, max_image_bytes: 2000, max_text_chars: 1000 }));
  const failure = (name: string) => docs.get(name)?.failure;
  assert.deepEqual(failure('empty.pdf'), { type: 'empty_file', message: 'empty.pdf: the file is empty (0 bytes)' });
  assert.equal(failure('locked.pdf')?.type, 'encrypted_pdf');
  assert.match(failure('locked.pdf')?.message ?? '', /^locked\.pdf: the PDF is encrypted/);
  assert.equal(failure('big.pdf')?.type, 'too_large');
  assert.match(failure('big.pdf')?.message ?? '', /^big\.pdf: .*\d+ bytes\) is over the limit of 9\.8 KiB \(10,000 bytes\) per file \(max_file_bytes\)/);
  assert.equal(docs.get('big.pdf')?.id, 'file:big.pdf', 'a file too large to read is known by its path');
  assert.equal(docs.get('big.pdf')?.metadata?.format, 'pdf');
  assert.equal(failure('photo.png')?.type, 'too_large');
  assert.match(failure('photo.png')?.message ?? '', /^photo\.png: the image is .* as base64; images are sent up to .*2,000 bytes.* \(max_image_bytes\)/);
  assert.deepEqual(failure('long.txt'), { type: 'too_large', message: 'long.txt: 5,000 characters of text; at most 1,000 are sent (max_text_chars)' });
  assert.equal(failure('scan.tif')?.type, 'unsupported_file');
  assert.match(failure('scan.tif')?.message ?? '', /^scan\.tif: content is not a PDF .*; it looks like a TIFF image/);
  // A PDF whose pages cannot be counted is sent, not failed.
  assert.equal(failure('no-tree.pdf'), undefined);
  assert.equal(docs.get('no-tree.pdf')?.files?.length, 1);
  assert.equal(docs.get('no-tree.pdf')?.metadata?.pages, undefined);
  assert.equal(failure('ok.pdf'), undefined);
  assert.equal(docs.get('notes.md')?.metadata?.format, 'text');
  assert.equal(docs.get('notes.md')?.text, '# Invoice 7\n\nTotal: 10.00 EUR\n');
});

test('the page limit applies to compressed PDFs too', async () => {
  folder('pages', { 'plain.pdf': minimalPdf(700), 'packed.pdf': compressedPdf(700), 'fine.pdf': compressedPdf(600) });
  const docs = byPath(await readAll({ path: 'pages' }));
  assert.equal(docs.get('plain.pdf')?.failure?.type, 'too_many_pages');
  assert.equal(docs.get('packed.pdf')?.failure?.type, 'too_many_pages');
  assert.equal(docs.get('fine.pdf')?.failure, undefined);
  assert.equal(docs.get('fine.pdf')?.metadata?.pages, 600);
});

test('check() refuses a path outside the roots, a missing folder and a file', async () => {
  const dir = folder('checked', { 'a.pdf': minimalPdf(1) });
  const check = async (p: string) => invoicesSource.check?.(configOf({ path: p }), { fileRoots: [root], log });
  const refusal = async (p: string) => {
    const error = await check(p).then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof SourceConfigError, `"${p}" should be refused`);
    assert.equal(error.field, 'path');
    return error.message;
  };
  assert.match(await refusal('/etc'), /outside/);
  assert.match(await refusal('../../..'), /outside/);
  assert.match(await refusal('no-such-folder'), /does not exist/);
  assert.match(await refusal('checked/a.pdf'), /is a file, not a folder/);
  fs.symlinkSync(outside, path.join(root, 'escape-link'));
  assert.match(await refusal('escape-link'), /outside/);
  await check('checked');
  await check(dir);
});

test('follow() keeps a watched folder open, rescanning at the interval', () => {
  assert.equal(invoicesSource.follow?.(configOf({ path: 'x' })), undefined);
  assert.deepEqual(invoicesSource.follow?.(configOf({ path: 'x', watch: true })), { rescanMs: 5000 });
  assert.deepEqual(invoicesSource.follow?.(configOf({ path: 'x', watch: true, watch_interval_ms: 200 })), { rescanMs: 200 });
});

test('a watched folder leaves files written moments ago for the next scan, and does not re-hash unchanged ones', async () => {
  const dir = folder('inbox', { 'a.pdf': minimalPdf(1, 'A'), 'b.png': tinyPng() });
  const fresh = await readAll({ path: 'inbox', watch: true });
  assert.deepEqual(fresh, [], 'both were written just now');
  const past = new Date(Date.now() - 60_000);
  for (const name of ['a.pdf', 'b.png']) fs.utimesSync(path.join(dir, name), past, past);
  const first = await readAll({ path: 'inbox', watch: true });
  assert.deepEqual(first.map((d) => d.title), ['a.pdf', 'b.png']);
  const before = factsCacheStats();
  const again = await readAll({ path: 'inbox', watch: true });
  assert.deepEqual(again, first);
  assert.equal(factsCacheStats().hits - before.hits, 2, 'both answered from the cache');
  // A changed file is read again, and is a new document.
  fs.writeFileSync(path.join(dir, 'a.pdf'), minimalPdf(1, 'A, corrected'));
  fs.utimesSync(path.join(dir, 'a.pdf'), past, past);
  const changed = await readAll({ path: 'inbox', watch: true });
  assert.notEqual(changed[0]?.id, first[0]?.id);
  assert.equal(changed[1]?.id, first[1]?.id);
});

test('a canceled read stops instead of ending as if the folder were done', async () => {
  folder('stop', { 'a.pdf': minimalPdf(1), 'b.pdf': minimalPdf(2), 'c.pdf': minimalPdf(3) });
  const controller = new AbortController();
  const seen: string[] = [];
  await assert.rejects(async () => {
    for await (const doc of invoicesSource.read(configOf({ path: 'stop' }), ctxOf(controller.signal))) {
      seen.push(doc.title ?? '');
      controller.abort();
    }
  });
  assert.deepEqual(seen, ['a.pdf']);
});

test('the config has the documented defaults and is served as JSON Schema', () => {
  const config = configOf({ path: 'x' });
  assert.deepEqual(config, {
    path: 'x',
    recursive: false,
    watch: false,
    watch_interval_ms: 5000,
    max_file_bytes: 24_641_536,
    max_pages: 600,
    max_image_bytes: 5_242_880,
    max_text_chars: 1_000_000,
  });
  assert.ok(4 * Math.ceil(DEFAULT_MAX_FILE_BYTES / 3) < 32 * 1024 * 1024);
  assert.equal(invoicesSource.configSchema.safeParse({ path: 'x', watch_interval_ms: 100 }).success, false);
  assert.equal(invoicesSource.configSchema.safeParse({ path: 'x', max_file_bytes: 30 * 1024 * 1024 }).success, false);
  assert.equal(invoicesSource.configSchema.safeParse({}).success, false);
  const schema = z.toJSONSchema(invoicesSource.configSchema, { io: 'input' }) as { properties: Record<string, unknown>; required?: string[] };
  assert.deepEqual(schema.required, ['path']);
  assert.deepEqual(Object.keys(schema.properties).sort(), ['max_file_bytes', 'max_image_bytes', 'max_pages', 'max_text_chars', 'path', 'recursive', 'watch', 'watch_interval_ms']);
});
