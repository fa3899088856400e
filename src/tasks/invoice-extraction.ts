// Built-in task: the fields of an invoice (numbers, dates, parties, amounts, line items).
import { z } from 'zod';
import type { TaskDefinition } from './types.ts';

const party = z.object({
  name: z.string().describe('Legal or trading name'),
  vat_id: z.string().nullable().describe('VAT / tax registration id, or null'),
  address: z.string().nullable().describe('Postal address on one line, or null'),
});

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD');

export const invoiceExtractionOutput = z.object({
  invoice_number: z.string().describe('The invoice number as printed'),
  issue_date: isoDate.describe('Issue date, YYYY-MM-DD'),
  due_date: isoDate.nullable().describe('Payment due date, YYYY-MM-DD, or null'),
  vendor: party.describe('Who issued the invoice (seller)'),
  customer: party.describe('Who is billed (buyer)'),
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code').describe('ISO 4217 currency code'),
  subtotal: z.number().nullable().describe('Total before tax, or null'),
  tax: z.number().nullable().describe('Total tax amount, or null'),
  total: z.number().describe('Amount due including tax'),
  line_items: z
    .array(
      z.object({
        description: z.string(),
        quantity: z.number().nullable(),
        unit_price: z.number().nullable(),
        amount: z.number().describe('Line total'),
      }),
    )
    .describe('Invoice lines in order'),
});

export const invoiceExtraction: TaskDefinition = {
  name: 'invoice-extraction',
  description: 'Invoices (PDF, image, XML, text) → number, dates, parties, currency, amounts, line items',
  system:
    'You extract structured data from invoices for an accounts-payable team. Copy values exactly as printed; ' +
    'normalise dates to YYYY-MM-DD and amounts to plain numbers with a dot as decimal separator. Use null ' +
    'for a field the invoice does not show; never guess. Record the result with the record_output tool.',
  prompt: 'Extract the invoice data from the attached document.\n\n<document id="{{id}}" title="{{title}}">\n{{text}}\n</document>',
  output: invoiceExtractionOutput,
  model: 'claude-sonnet-5-5',
  max_tokens: 2048,
};
