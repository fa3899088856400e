// Decides whether content is text and decodes it: UTF-8 (the byte-order mark tolerated), UTF-16 with a
// byte-order mark, and XML that declares a Latin-1 family encoding (older e-invoices). Anything with NUL
// bytes, invalid UTF-8 or many control characters is binary, whatever its name says.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
const utf16le = new TextDecoder('utf-16le', { fatal: true, ignoreBOM: false });

/** Above one control character (other than tab, line breaks, form feed, escape) per 100, content is binary. */
const MAX_CONTROL_RATIO = 0.01;

export function decodeText(bytes: Buffer): string | undefined {
  const text = decode(bytes);
  if (text === undefined || text.includes('\0')) return undefined;
  let controls = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0b && c !== 0x0c && c !== 0x0d && c !== 0x1b) || c === 0x7f) controls++;
  }
  return controls > text.length * MAX_CONTROL_RATIO ? undefined : text;
}

/** Whether the first bytes of a file could start a text file (a multi-byte character cut at the end is fine). */
export function looksLikeText(head: Buffer): boolean {
  for (let cut = 0; cut < 4 && cut < head.length; cut++) {
    if (decodeText(head.subarray(0, head.length - cut)) !== undefined) return true;
  }
  return false;
}

function decode(bytes: Buffer): string | undefined {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return attempt(() => utf16le.decode(bytes));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) {
    if (bytes.length % 2 !== 0) return undefined;
    const swapped = Buffer.from(bytes);
    swapped.swap16();
    return attempt(() => utf16le.decode(swapped));
  }
  const asUtf8 = attempt(() => utf8.decode(bytes));
  if (asUtf8 !== undefined) return asUtf8;
  // An XML declaration is ASCII, so it can be read before the encoding is known (XML 1.0 §4.3.3).
  const declared = /^<\?xml[^>]*\bencoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(bytes.toString('latin1', 0, 200))?.[1]?.toLowerCase();
  if (declared && /^(iso-?8859-(1|15)|latin-?1|windows-1252|cp1252|us-ascii)$/.test(declared)) {
    return attempt(() => new TextDecoder(declared === 'iso-8859-15' || declared === 'iso8859-15' ? 'iso-8859-15' : 'windows-1252').decode(bytes)) ?? bytes.toString('latin1');
  }
  return undefined;
}

function attempt(run: () => string): string | undefined {
  try {
    return run();
  } catch {
    return undefined;
  }
}
