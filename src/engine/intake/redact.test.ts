// Redaction patterns on real formats: what is masked, and the look-alikes that are not.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { maskedText, piiTickets, ticketText } from '../../../test/fixtures/tickets-pii.ts';
import { ibanValid, luhnValid, redactDocument, redactText, REDACTION_KINDS } from './redact.ts';

const ALL = REDACTION_KINDS;

test('card numbers are masked only when Luhn-valid, in the usual groupings', () => {
  assert.equal(luhnValid('4111111111111111'), true);
  assert.equal(luhnValid('4111111111111112'), false);
  assert.equal(redactText('paid with 4111 1111 1111 1111.', ALL).text, 'paid with [card].');
  assert.equal(redactText('paid with 4111-1111-1111-1111 today', ALL).text, 'paid with [card] today');
  assert.equal(redactText('Amex 3782 822463 10005 ok', ALL).text, 'Amex [card] ok');
  assert.equal(redactText('not a card: 4111 1111 1111 1112', ALL).text, 'not a card: 4111 1111 1111 1112');
  // A card followed by another number: the card is found, the number kept.
  assert.equal(redactText('card 4111 1111 1111 1111 2026 renewal', ALL).text, 'card [card] 2026 renewal');
});

test('IBANs are masked with or without spaces, only with valid check digits', () => {
  assert.equal(ibanValid('DE89370400440532013000'), true);
  assert.equal(ibanValid('DE88370400440532013000'), false);
  assert.equal(redactText('to DE89 3704 0044 0532 0130 00 please', ALL).text, 'to [iban] please');
  assert.equal(redactText('to GB29NWBK60161331926819.', ALL).text, 'to [iban].');
  assert.equal(redactText('IBAN DE89 3704 0044 0532 0130 00 ASAP', ALL).text, 'IBAN [iban] ASAP');
  assert.equal(redactText('wrong DE88370400440532013000 kept', ALL).text, 'wrong DE88370400440532013000 kept');
});

test('phone numbers in international and national formats are masked; dates, orders and prices are not', () => {
  for (const phone of ['+44 20 7946 0958', '+1 (415) 555-0132', '+49 (0)30 901820', '+33 1 42 68 53 00', '+81 3-1234-5678', '0044 20 7946 0958', '(415) 555-0132', '020 7946 0958', '07700 900123']) {
    assert.equal(redactText(`call ${phone} today`, ALL).text, 'call [phone] today', phone);
  }
  const plain = 'Order 4471-2290 on 2026-11-24 at 10:45, €1,299.00, version 4.2.0, INV-2026-000183, expiry 09/29.';
  assert.equal(redactText(plain, ALL).text, plain);
});

test('e-mail addresses are masked, and only the kinds asked for', () => {
  assert.equal(redactText('write to jo.smith+tickets@mail.example.co.uk.', ALL).text, 'write to [email].');
  const only = redactText('a@example.com, +44 20 7946 0958', ['email']);
  assert.equal(only.text, '[email], +44 20 7946 0958');
  assert.deepEqual(only.counts, { email: 1 });
});

test('a document: text, title and metadata strings masked, counts kept, no mapping', () => {
  const doc = redactDocument({ id: 'x', title: 'From a@example.com', text: 'Call +44 20 7946 0958 or b@example.org', metadata: { requester: 'c@example.de', rating: 3 } }, ALL);
  assert.equal(doc.title, 'From [email]');
  assert.equal(doc.text, 'Call [phone] or [email]');
  assert.deepEqual(doc.metadata, { requester: '[email]', rating: 3 });
  assert.deepEqual(doc.redactions, { email: 3, phone: 1 });
  assert.ok(!JSON.stringify(doc).includes('example.'), 'nothing of what was masked is kept');
});

test('the 200-ticket fixture is masked exactly: every personal value, and nothing else', () => {
  for (const ticket of piiTickets()) assert.equal(redactText(ticketText(ticket), ALL).text, maskedText(ticket), ticket.id);
});

test('nested metadata and text attachments are masked; a PDF or an image fails the item instead of going out unmasked', async () => {
  const doc = {
    id: 't1',
    text: 'see attached',
    metadata: { requester: { email: 'ana@example.com', phones: ['+44 20 7946 0958'] }, order: 12345 },
    attachments: [{ media_type: 'text/plain' as const, data: Buffer.from('card 4111 1111 1111 1111 on file').toString('base64') }],
  };
  const masked = redactDocument(doc, ALL) as typeof doc & { redactions: Record<string, number> };
  assert.deepEqual(masked.metadata, { requester: { email: '[email]', phones: ['[phone]'] }, order: 12345 });
  assert.equal(Buffer.from(masked.attachments[0]?.data ?? '', 'base64').toString('utf8'), 'card [card] on file');
  assert.deepEqual(masked.redactions, { email: 1, phone: 1, card: 1 });

  const { itemRowBuilder } = await import('./item-rows.ts');
  const { resolveTask } = await import('../../tasks/registry.ts');
  const build = itemRowBuilder(resolveTask('review-insights'), 1_000_000, { redact: ['email'] });
  const pdf = build({ id: 'p1', text: 'mail me at ana@example.com', metadata: { who: 'ana@example.com' }, attachments: [{ media_type: 'application/pdf', data: Buffer.from('%PDF-1.4').toString('base64') }] });
  assert.equal(pdf.failure?.type, 'redaction_unsupported');
  assert.match(pdf.failure?.message ?? '', /application\/pdf content cannot be masked/);
  assert.ok(!pdf.document.includes('ana@example.com') && !pdf.document.includes('%PDF'), 'nothing unmasked is stored');
  assert.equal(build({ id: 't2', text: 'plain ana@example.com' }).failure, null);
});
