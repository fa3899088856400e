// The simulator's error-free answer to the built-in invoice-extraction task: number, dates, currency and
// amounts read from the invoice's text (plain text or UBL/CII XML) by keyword; what the text does not
// show (a PDF the simulator cannot read) is made up from a hash of the document, the same every time.
import { hash32 } from './hash.ts';
import type { PromptDocument } from './prompt-document.ts';

interface Party {
  name: string;
  vat_id: string | null;
  address: string | null;
}

export interface InvoiceAnswer {
  invoice_number: string;
  issue_date: string;
  due_date: string | null;
  vendor: Party;
  customer: Party;
  currency: string;
  subtotal: number | null;
  tax: number | null;
  total: number;
  line_items: Array<{ description: string; quantity: number | null; unit_price: number | null; amount: number }>;
}

const CURRENCIES = ['EUR', 'USD', 'GBP', 'CHF', 'JPY', 'SEK', 'NOK', 'DKK', 'PLN', 'CAD', 'AUD'];
const SYMBOLS: Record<string, string> = { '€': 'EUR', $: 'USD', '£': 'GBP' };
const AMOUNT = '(\\d[\\d.,]*\\d|\\d)';

/** `1.234,56`, `1,234.56`, `119.00`, `119,00` → a number; the last separator with two digits after it is the decimal one. */
export function parseAmount(raw: string): number | undefined {
  const m = /^(.*?)([.,](\d{1,2}))?$/.exec(raw.trim());
  if (!m) return undefined;
  const whole = (m[1] ?? '').replace(/[.,\s]/g, '');
  const value = Number(`${whole}${m[3] ? `.${m[3]}` : ''}`);
  return Number.isFinite(value) ? value : undefined;
}

/** The amount after the first keyword (tried in order) the text has; `last`: its last occurrence (a "Total" after line totals). */
function amountAfter(text: string, keywords: readonly string[], last = false): number | undefined {
  for (const keyword of keywords) {
    const matches = [...text.matchAll(new RegExp(`\\b(?:${keyword})[^0-9\\n]{0,30}?${AMOUNT}`, 'gi'))];
    const chosen = last ? matches.at(-1) : matches[0];
    const value = chosen?.[1] ? parseAmount(chosen[1]) : undefined;
    if (value !== undefined) return value;
  }
  return undefined;
}

function datesOf(text: string): string[] {
  const found: Array<{ at: number; iso: string }> = [];
  for (const m of text.matchAll(/\b(\d{4})-(\d{2})-(\d{2})\b/g)) found.push({ at: m.index, iso: `${m[1]}-${m[2]}-${m[3]}` });
  for (const m of text.matchAll(/\b(\d{2})[./](\d{2})[./](\d{4})\b/g)) found.push({ at: m.index, iso: `${m[3]}-${m[2]}-${m[1]}` });
  // CII dates: <udt:DateTimeString format="102">20261124</…>
  for (const m of text.matchAll(/format="102">(\d{4})(\d{2})(\d{2})</g)) found.push({ at: m.index, iso: `${m[1]}-${m[2]}-${m[3]}` });
  return found.sort((a, b) => a.at - b.at).map((d) => d.iso);
}

function invoiceNumberOf(text: string, title: string): string | undefined {
  const labelled = /(?:invoice|rechnung|facture)\s*(?:no\.?|number|nr\.?|#|n°)?\s*[:#]?\s*([A-Z]{0,5}-?\d[\w/-]*)/i.exec(text)?.[1];
  if (labelled) return labelled;
  const xml = /<(?:cbc|ram):ID>([^<]{1,64})<\//.exec(text)?.[1];
  if (xml) return xml.trim();
  return /([A-Z]{2,5}-\d+)/.exec(title)?.[1];
}

function currencyOf(text: string): string | undefined {
  const code = new RegExp(`\\b(${CURRENCIES.join('|')})\\b`).exec(text)?.[1];
  if (code) return code;
  const symbol = Object.keys(SYMBOLS).find((s) => text.includes(s));
  return symbol ? SYMBOLS[symbol] : undefined;
}

function partyLine(text: string, labels: string): string | undefined {
  const m = new RegExp(`(?:${labels})\\s*:?\\s*([^\\n<]{2,80})`, 'i').exec(text);
  return m?.[1]?.trim();
}

const round2 = (n: number) => Math.round(n * 100) / 100;

export function invoiceAnswer(doc: PromptDocument): InvoiceAnswer {
  const text = doc.text;
  const seed = hash32(`${doc.attachmentDigest}\0${text}\0${doc.title}`);
  const dates = datesOf(text);
  const dueMatch = /due[^0-9\n]{0,20}(\d{4}-\d{2}-\d{2})/i.exec(text)?.[1];
  const subtotal = amountAfter(text, ['subtotal|sub-total|net amount', 'tax\\s*exclusive\\s*amount|tax\\s*basis\\s*total\\s*amount', 'line\\s*extension\\s*amount|line\\s*total\\s*amount']);
  const tax = amountAfter(text, ['tax\\s*total\\s*amount|tax\\s*amount', 'vat|tax']);
  const fallbackTotal = round2(((seed % 90_000) + 1_000) / 100);
  const total = amountAfter(text, ['grand\\s*total|total\\s*due|amount\\s*due|payable\\s*amount', 'total'], true) ?? (subtotal !== undefined && tax !== undefined ? round2(subtotal + tax) : fallbackTotal);
  const firstLine = text.split('\n').map((l) => l.trim()).find((l) => l !== '' && !l.startsWith('<') && !/^invoice file:/i.test(l));
  const vendorName = partyLine(text, 'from|vendor|seller|supplier') ?? /<cac:AccountingSupplierParty>[\s\S]*?<cbc:Name>([^<]+)</.exec(text)?.[1] ?? firstLine ?? `Vendor ${seed % 1000}`;
  const customerName = partyLine(text, 'bill to|billed to|customer|buyer') ?? /<cac:AccountingCustomerParty>[\s\S]*?<cbc:Name>([^<]+)</.exec(text)?.[1] ?? `Customer ${(seed >>> 10) % 1000}`;
  const vatIds = text.match(/\b[A-Z]{2}\d{8,12}\b/g) ?? [];
  const month = String((seed % 12) + 1).padStart(2, '0');
  const day = String(((seed >>> 4) % 28) + 1).padStart(2, '0');
  const net = subtotal ?? (tax !== undefined ? round2(total - tax) : total);
  return {
    invoice_number: invoiceNumberOf(text, doc.title) ?? `INV-${seed % 100_000}`,
    issue_date: dates[0] ?? `2026-${month}-${day}`,
    due_date: dueMatch ?? dates[1] ?? null,
    vendor: { name: vendorName.slice(0, 80), vat_id: vatIds[0] ?? null, address: null },
    customer: { name: customerName.slice(0, 80), vat_id: vatIds[1] ?? null, address: null },
    currency: currencyOf(text) ?? 'EUR',
    subtotal: subtotal ?? null,
    tax: tax ?? null,
    total,
    line_items: [{ description: 'Invoice total', quantity: 1, unit_price: net, amount: net }],
  };
}
