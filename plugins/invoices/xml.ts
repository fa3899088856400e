// Recognises XML and the two EN 16931 e-invoice syntaxes by their root element and its namespace
// (formats.md §C): UBL 2.1 Invoice / CreditNote, UN/CEFACT CII CrossIndustryInvoice. Only the prolog and
// the root's start tag are looked at; the content goes to the model as text.
export type XmlFormat = 'ubl' | 'cii' | 'xml';

const UBL_NAMESPACE = 'urn:oasis:names:specification:ubl:schema:xsd:';
const CII_NAMESPACE = 'urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:';
const NAME = /^<([A-Za-z_][\w.-]*)(?::([A-Za-z_][\w.-]*))?(?=[\s/>])/;

/** The kind of XML `text` is, or undefined when it is not XML (no declaration, no root element). */
export function xmlFormat(text: string): XmlFormat | undefined {
  const start = rootStartTag(text.replace(/^\uFEFF/, ''));
  if (!start) return undefined;
  const name = NAME.exec(start);
  if (!name?.[1]) return undefined;
  const [prefix, local] = name[2] === undefined ? [undefined, name[1]] : [name[1], name[2]];
  const namespace = attribute(start, prefix === undefined ? 'xmlns' : `xmlns:${prefix}`);
  if ((local === 'Invoice' || local === 'CreditNote') && namespace === `${UBL_NAMESPACE}${local}-2`) return 'ubl';
  if (local === 'CrossIndustryInvoice' && namespace?.startsWith(CII_NAMESPACE)) return 'cii';
  return 'xml';
}

/** The root element's start tag (`<a:Invoice xmlns:a="…" …>`), after the declaration, comments, PIs and DOCTYPE. */
function rootStartTag(text: string): string | undefined {
  let at = skipSpace(text, 0);
  for (;;) {
    if (text.startsWith('<?', at)) at = after(text, '?>', at);
    else if (text.startsWith('<!--', at)) at = after(text, '-->', at);
    else if (text.startsWith('<!DOCTYPE', at)) at = afterDoctype(text, at);
    else break;
    if (at < 0) return undefined;
    at = skipSpace(text, at);
  }
  if (text[at] !== '<') return undefined;
  // The tag ends at the first '>' outside a quoted attribute value.
  let quote: string | undefined;
  for (let i = at + 1; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '>') return text.slice(at, i + 1);
  }
  return undefined;
}

function attribute(tag: string, name: string): string | undefined {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const match = new RegExp(`\\s${escaped}\\s*=\\s*(?:"([^"]*)"|'([^']*)')`).exec(tag);
  return match ? (match[1] ?? match[2])?.trim() : undefined;
}

function skipSpace(text: string, at: number): number {
  while (at < text.length && /\s/.test(text[at] ?? '')) at++;
  return at;
}

function after(text: string, end: string, at: number): number {
  const i = text.indexOf(end, at);
  return i < 0 ? -1 : i + end.length;
}

/** A DOCTYPE may hold an internal subset in brackets, with '>' inside it. */
function afterDoctype(text: string, at: number): number {
  let depth = 0;
  for (let i = at; i < text.length; i++) {
    if (text[i] === '[') depth++;
    else if (text[i] === ']') depth--;
    else if (text[i] === '>' && depth <= 0) return i + 1;
  }
  return -1;
}
