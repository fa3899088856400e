// Redaction before sending (a job's `redact` option): masks e-mail addresses, phone numbers, payment card
// numbers and IBANs in a document's text before its item is stored, so neither the request built from it
// nor the database ever holds them. Each match becomes a fixed token (`[email]`, …); what was masked is not
// kept anywhere (no mapping), only how many of each kind, on the item.
//
// Card numbers and IBANs are masked only when their check digits are valid (Luhn; ISO 13616 mod 97), so an
// order number or a tracking code of the same length stays as it was.

export const REDACTION_KINDS = ['email', 'phone', 'card', 'iban'] as const;
export type RedactionKind = (typeof REDACTION_KINDS)[number];
export type RedactionCounts = Partial<Record<RedactionKind, number>>;

const EMAIL = /(?<![\w.%+-])[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,24}(?![\w-])/g;
// Country code, two check digits, then 11–30 letters or digits, in groups of four with optional spaces.
const IBAN = /(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]{1,4}){3,8}(?![A-Za-z0-9])/g;
// 13–19 digits, optionally grouped by single spaces or dashes; never after `+` or starting with 0 (no
// card number does; an international phone number written 0044 … does).
const CARD = /(?<![\d+-])[1-9](?:[ -]?\d){12,18}(?!\d)/g;
// International: + (or 00) and a country code, then groups of digits (area code optionally in parentheses).
// Neither kind starts or ends inside a longer run of digit groups (a card number with a wrong check digit).
const PHONE_INTL = /(?<![\w+]|\d[ .-])(?:\+|00)[1-9]\d{0,2}(?:[ .-]?\(?\d{1,5}\)?){1,6}(?!\w|[ .-]\d)/g;
// National: a trunk prefix 0 or an area code in parentheses, then two groups: (415) 555-0132, 020 7946 0958.
const PHONE_NATIONAL = /(?<![\w(]|\d[ .-])(?:\(\d{2,5}\)|0\d{1,4})[ .-]?\d{3,4}[ .-]?\d{3,4}(?!\w|[ .-]\d)/g;

const TOKEN: Record<RedactionKind, string> = { email: '[email]', phone: '[phone]', card: '[card]', iban: '[iban]' };

/** Masks the chosen kinds in `text`; returns the masked text and how many of each kind were masked. */
export function redactText(text: string, kinds: readonly RedactionKind[], counts: RedactionCounts = {}): { text: string; counts: RedactionCounts } {
  const on = new Set(kinds);
  let out = text;
  const mask = (kind: RedactionKind, pattern: RegExp, accept: (match: string) => string | null = (m) => m) => {
    out = out.replace(pattern, (match) => {
      const masked = accept(match);
      if (masked === null) return match;
      counts[kind] = (counts[kind] ?? 0) + 1;
      return masked === match ? TOKEN[kind] : masked;
    });
  };
  // E-mail first (an address may hold digits), IBANs before cards (an IBAN holds long digit runs), cards
  // before phones (a card number grouped by spaces looks like a long phone number).
  if (on.has('email')) mask('email', EMAIL);
  if (on.has('iban')) mask('iban', IBAN, maskIban);
  if (on.has('card')) mask('card', CARD, maskCard);
  if (on.has('phone')) {
    // E.164 allows up to 15 digits; fewer than 8 (country code included) is no dialable number. Written
    // with 00 the two zeros count too, and a short 00… run is far more often an order or a code.
    mask('phone', PHONE_INTL, (m) => {
      const digits = digitCount(m) - (m.startsWith('00') ? 2 : 0);
      return digits >= (m.startsWith('00') ? 9 : 8) && digits <= 15 ? m : null;
    });
    mask('phone', PHONE_NATIONAL, (m) => (digitCount(m) >= 9 && digitCount(m) <= 12 ? m : null));
  }
  return { text: out, counts };
}

/**
 * A document's text, title, metadata strings (at any depth) and text/plain attachments masked; `redactions`
 * counts what was masked. PDFs and images cannot be masked: see unredactableParts.
 */
export function redactDocument<D extends { text?: string | undefined; title?: string | undefined; metadata?: Record<string, unknown> | undefined }>(
  doc: D,
  kinds: readonly RedactionKind[],
): D & { redactions: RedactionCounts } {
  const counts: RedactionCounts = {};
  const copy: Record<string, unknown> = { ...doc };
  if (doc.text !== undefined) copy.text = redactText(doc.text, kinds, counts).text;
  if (doc.title !== undefined) copy.title = redactText(doc.title, kinds, counts).text;
  // Metadata is rendered into prompts too ({{metadata}}), nested values included.
  if (doc.metadata !== undefined) copy.metadata = redactValue(doc.metadata, kinds, counts);
  const attachments = (doc as { attachments?: unknown }).attachments;
  if (Array.isArray(attachments)) copy.attachments = attachments.map((a: unknown) => redactAttachment(a, kinds, counts));
  copy.redactions = counts;
  return copy as D & { redactions: RedactionCounts };
}

function redactValue(value: unknown, kinds: readonly RedactionKind[], counts: RedactionCounts): unknown {
  if (typeof value === 'string') return redactText(value, kinds, counts).text;
  if (Array.isArray(value)) return value.map((v) => redactValue(v, kinds, counts));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactValue(v, kinds, counts)]));
  return value;
}

/** A text/plain attachment is text like any other: decoded, masked, encoded again. */
function redactAttachment(attachment: unknown, kinds: readonly RedactionKind[], counts: RedactionCounts): unknown {
  const a = attachment as { media_type?: string; data?: string };
  if (a.media_type !== 'text/plain' || typeof a.data !== 'string') return attachment;
  const masked = redactText(Buffer.from(a.data, 'base64').toString('utf8'), kinds, counts).text;
  return { ...a, data: Buffer.from(masked, 'utf8').toString('base64') };
}

/**
 * The parts of a document redaction cannot mask (PDF and image attachments, files): a job with `redact`
 * fails such documents rather than send what it promised to mask.
 */
export function unredactableParts(doc: { attachments?: ReadonlyArray<{ media_type: string }> | undefined; files?: ReadonlyArray<{ media_type: string }> | undefined }): string[] {
  return [...(doc.attachments ?? []), ...(doc.files ?? [])].map((p) => p.media_type).filter((t) => t !== 'text/plain');
}

function digitCount(s: string): number {
  let n = 0;
  for (const ch of s) if (ch >= '0' && ch <= '9') n += 1;
  return n;
}

/** Luhn (ISO/IEC 7812): the check digit of payment card numbers. */
export function luhnValid(digits: string): boolean {
  if (!/^\d{13,19}$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** IBAN lengths of common countries (SWIFT IBAN registry); others only need 15–34 characters. */
const IBAN_LENGTH: Record<string, number> = {
  AT: 20, BE: 16, CH: 21, CZ: 24, DE: 22, DK: 18, ES: 24, FI: 18, FR: 27, GB: 22, GR: 27, HU: 28, IE: 22, IT: 27, LU: 20, NL: 18, NO: 15, PL: 28, PT: 25, RO: 24, SE: 24, SK: 24,
};

/** ISO 13616: the country's length, then: first four characters to the end, letters to numbers (A = 10), mod 97 = 1. */
export function ibanValid(compact: string): boolean {
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(compact)) return false;
  const length = IBAN_LENGTH[compact.slice(0, 2)];
  if (length !== undefined && compact.length !== length) return false;
  const rearranged = compact.slice(4) + compact.slice(0, 4);
  let remainder = 0;
  for (const ch of rearranged) {
    const value = ch >= 'A' && ch <= 'Z' ? String(ch.charCodeAt(0) - 55) : ch;
    for (const digit of value) remainder = (remainder * 10 + (digit.charCodeAt(0) - 48)) % 97;
  }
  return remainder === 1;
}

/**
 * The longest leading part of the match that is a valid IBAN, masked, with the rest kept as it was: the
 * pattern may have run on into a following code or word. A spaced IBAN is cut at group boundaries only.
 */
function maskIban(match: string): string | null {
  const groups = match.split(' ');
  const candidates: Array<{ compact: string; rest: string }> = [];
  // Unspaced, the pattern ends where the letters and digits do: the whole run is the IBAN or none is.
  for (let keep = groups.length; keep >= 1; keep--) candidates.push({ compact: groups.slice(0, keep).join(''), rest: groups.slice(keep).map((g) => ` ${g}`).join('') });
  const found = candidates.find((c) => ibanValid(c.compact));
  return found ? `${TOKEN.iban}${found.rest}` : null;
}

/**
 * The longest leading part of the match, cut where a separator is, whose digits pass Luhn: a card number
 * followed by another number ("… 1111 2026") is still found, and the number after it kept.
 */
function maskCard(match: string): string | null {
  const cuts = [match.length, ...[...match.matchAll(/[ -]/g)].map((m) => m.index ?? 0).reverse()];
  for (const cut of cuts) {
    const head = match.slice(0, cut);
    if (luhnValid(head.replace(/[ -]/g, ''))) return `${TOKEN.card}${match.slice(cut)}`;
  }
  return null;
}
