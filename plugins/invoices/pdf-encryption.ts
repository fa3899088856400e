// Tells an encrypted PDF (ISO 32000-1 §7.6): its trailer, or the dictionary of its cross-reference stream,
// names an /Encrypt dictionary. The API takes no encrypted or password-protected PDFs (anthropic-batches.md §10).
import { hasName, pdfObjects, trailerDicts } from './pdf-scan.ts';

const ENCRYPT_KEY = /\/Encrypt(?![A-Za-z0-9#_.-])/;

export function isEncryptedPdf(pdf: Buffer): boolean {
  const text = pdf.toString('latin1');
  let sawTrailer = false;
  for (const { dict } of trailerDicts(text)) {
    sawTrailer = true;
    if (ENCRYPT_KEY.test(dict)) return true;
  }
  for (const object of pdfObjects(pdf, text, false)) {
    if (!object.stream || !hasName(object.dict, 'Type', 'XRef')) continue;
    sawTrailer = true;
    if (ENCRYPT_KEY.test(object.dict)) return true;
  }
  // A file too broken to show its trailer: an /Encrypt reference anywhere is the best sign left.
  return !sawTrailer && /\/Encrypt\s*(\d+\s+\d+\s+R|<<)/.test(text);
}
