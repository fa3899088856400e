import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deflateSync } from 'node:zlib';
import { compressedPdf, encryptedPdf, minimalPdf } from './fixtures.ts';
import { isEncryptedPdf } from './pdf-encryption.ts';
import { countPdfPages } from './pdf-pages.ts';

const latin1 = (pdf: Buffer) => pdf.toString('latin1');

test('pages of a plain PDF are counted, 1 to 700', () => {
  for (const pages of [1, 2, 3, 17, 600, 601, 700]) assert.equal(countPdfPages(minimalPdf(pages)), pages);
});

test('pages packed in a FlateDecode object stream are counted by inflating it', () => {
  for (const pages of [1, 3, 250, 700]) {
    const pdf = compressedPdf(pages);
    assert.ok(!latin1(pdf).includes('/Type /Page'), 'nothing to find without inflating');
    assert.equal(countPdfPages(pdf), pages);
  }
});

test('without /Count the /Type /Page leaves are counted, never the /Pages nodes', () => {
  const pdf = Buffer.from(latin1(minimalPdf(4)).replace('/Count 4', '/Cnt 4'), 'latin1');
  assert.equal(countPdfPages(pdf), 4);
});

test('an incremental update that adds pages is counted by its newest page tree', () => {
  const base = latin1(minimalPdf(2));
  const update = '\n2 0 obj\n<< /Type /Pages /Kids [4 0 R 6 0 R 20 0 R] /Count 3 >>\nendobj\n20 0 obj\n<< /Type /Page /Parent 2 0 R /Contents 5 0 R >>\nendobj\ntrailer\n<< /Size 21 /Root 1 0 R >>\nstartxref\n0\n%%EOF\n';
  assert.equal(countPdfPages(Buffer.from(base + update, 'latin1')), 3);
});

test('a file with no page tree gives no count (the caller sends it anyway)', () => {
  assert.equal(countPdfPages(Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n')), undefined);
  assert.equal(countPdfPages(Buffer.from('%PDF-1.7\n\x00\x01garbage')), undefined);
});

test('stream data that happens to hold "obj" or "/Type /Page" is skipped by its /Length', () => {
  const noise = 'x 9 0 obj << /Type /Page >> endobj ';
  const pdf = latin1(minimalPdf(2))
    .replace('/Count 2', '/Cnt 2') // count the leaves, where a false page would show
    .replace(/<< \/Length (\d+) >>\nstream\n/, (_, length: string) => `<< /Length ${Number(length) + noise.length} >>\nstream\n${noise}`);
  assert.ok(pdf.includes(noise));
  assert.equal(countPdfPages(Buffer.from(pdf, 'latin1')), 2);
});

test('broken object streams are passed over without throwing', () => {
  const broken = Buffer.from(latin1(compressedPdf(3)).replace('/Type /ObjStm', '/Type /ObjStm /Junk 1'), 'latin1');
  const cut = Buffer.concat([broken.subarray(0, 200), Buffer.from('garbage'.repeat(5)), broken.subarray(260)]);
  assert.doesNotThrow(() => countPdfPages(cut));
  const notFlate = `%PDF-1.5\n5 0 obj\n<< /Type /ObjStm /N 1 /First 4 /Length 40 >>\nstream\n${deflateSync('1 0 << /Type /Page >>').toString('latin1')}\nendstream\nendobj\n`;
  assert.doesNotThrow(() => countPdfPages(Buffer.from(notFlate, 'latin1')));
});

test('encrypted PDFs are told by /Encrypt in the trailer or the cross-reference stream', () => {
  assert.equal(isEncryptedPdf(encryptedPdf(2)), true);
  assert.equal(isEncryptedPdf(minimalPdf(2)), false);
  assert.equal(isEncryptedPdf(compressedPdf(2)), false);
  const xrefStream = Buffer.from(latin1(compressedPdf(2)).replace('/Type /XRef', '/Type /XRef /Encrypt 99 0 R'), 'latin1');
  assert.equal(isEncryptedPdf(xrefStream), true);
  // A page that merely mentions the word is not an encrypted file.
  assert.equal(isEncryptedPdf(minimalPdf(1, 'See /Encrypt in the manual')), false);
});
