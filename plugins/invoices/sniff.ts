// Tells what a file is from its first bytes, never from its name (formats.md §C): the signatures of the
// formats the API takes (PDF, PNG, JPEG, GIF, WebP), and of common ones it does not, to say why a file is refused.
import type { FileRef } from '../../src/plugins/contract.ts';

export type BinaryKind =
  | { format: 'pdf'; media_type: 'application/pdf' }
  | { format: 'image'; media_type: Exclude<FileRef['media_type'], 'application/pdf'> };

/** Adobe readers accept a PDF header anywhere in the first 1024 bytes (some generators prepend junk). */
const PDF_HEADER_WINDOW = 1024;

export function sniffBinary(head: Buffer): BinaryKind | undefined {
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return { format: 'image', media_type: 'image/png' };
  if (startsWith(head, [0xff, 0xd8, 0xff])) return { format: 'image', media_type: 'image/jpeg' };
  if (ascii(head, 0, 6) === 'GIF87a' || ascii(head, 0, 6) === 'GIF89a') return { format: 'image', media_type: 'image/gif' };
  if (ascii(head, 0, 4) === 'RIFF' && ascii(head, 8, 12) === 'WEBP') return { format: 'image', media_type: 'image/webp' };
  if (hasPdfHeader(head)) return { format: 'pdf', media_type: 'application/pdf' };
  return undefined;
}

function hasPdfHeader(head: Buffer): boolean {
  const at = head.subarray(0, PDF_HEADER_WINDOW + 5).indexOf('%PDF-', 0, 'latin1');
  // Junk before the header is tolerated, markup is not: an XML file quoting "%PDF-" is still XML.
  return at === 0 || (at > 0 && !head.subarray(0, at).includes(0x3c));
}

/** A few words on what an unsupported file probably is, for its failure message; undefined if unknown. */
export function unsupportedHint(head: Buffer): string | undefined {
  if (ascii(head, 0, 4) === 'II*\0' || ascii(head, 0, 4) === 'MM\0*') return 'a TIFF image, which the API does not take; convert it to PDF or PNG';
  if (ascii(head, 4, 8) === 'ftyp' && /^(heic|heix|hevc|heim|heis|mif1|msf1|avif)$/.test(ascii(head, 8, 12))) {
    return 'a HEIC/HEIF/AVIF photo, which the API does not take; convert it to JPEG';
  }
  if (startsWith(head, [0x50, 0x4b, 0x03, 0x04])) return 'a ZIP archive (.zip, .docx, .xlsx, .odt); export the invoice as PDF';
  if (startsWith(head, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) return 'a legacy Office file (.doc, .xls, .msg); export the invoice as PDF';
  if (ascii(head, 0, 2) === 'BM' && head.length >= 26) return 'a BMP image, which the API does not take; convert it to PNG';
  return undefined;
}

function startsWith(buf: Buffer, bytes: readonly number[]): boolean {
  return buf.length >= bytes.length && bytes.every((b, i) => buf[i] === b);
}

function ascii(buf: Buffer, from: number, to: number): string {
  return buf.length >= to ? buf.toString('latin1', from, to) : '';
}
