import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ciiInvoiceXml, junkBytes, minimalPdf, tinyJpeg, tinyPng, ublInvoiceXml } from './fixtures.ts';
import { sniffBinary, unsupportedHint } from './sniff.ts';
import { decodeText } from './text.ts';
import { xmlFormat } from './xml.ts';

test('files are told by their magic bytes: PDF, PNG, JPEG, GIF, WebP', () => {
  assert.equal(sniffBinary(minimalPdf(1))?.media_type, 'application/pdf');
  assert.equal(sniffBinary(tinyPng())?.media_type, 'image/png');
  assert.equal(sniffBinary(tinyJpeg())?.media_type, 'image/jpeg');
  assert.equal(sniffBinary(Buffer.from('GIF89a\x01\x00\x01\x00', 'latin1'))?.media_type, 'image/gif');
  assert.equal(sniffBinary(Buffer.from('RIFF\x24\x00\x00\x00WEBPVP8 ', 'latin1'))?.media_type, 'image/webp');
  assert.equal(sniffBinary(Buffer.from('RIFF\x24\x00\x00\x00WAVEfmt ', 'latin1')), undefined);
  // Junk before the header is tolerated (as readers do); markup quoting the header is not a PDF.
  assert.equal(sniffBinary(Buffer.from('\r\n%PDF-1.4\n'))?.format, 'pdf');
  assert.equal(sniffBinary(Buffer.from('<?xml version="1.0"?><note>%PDF-1.4</note>')), undefined);
  assert.equal(sniffBinary(junkBytes()), undefined);
});

test('formats the API does not take are named in the reason', () => {
  assert.match(unsupportedHint(Buffer.from('II*\x00\x08\x00\x00\x00', 'latin1')) ?? '', /TIFF/);
  assert.match(unsupportedHint(Buffer.from('\x00\x00\x00\x18ftypheic\x00\x00', 'latin1')) ?? '', /HEIC/);
  assert.match(unsupportedHint(Buffer.from('PK\x03\x04\x14\x00', 'latin1')) ?? '', /ZIP/);
  assert.equal(unsupportedHint(junkBytes()), undefined);
});

test('UBL invoices and credit notes, CII invoices and other XML are told apart by root element and namespace', () => {
  assert.equal(xmlFormat(ublInvoiceXml('INV-1')), 'ubl');
  assert.equal(xmlFormat(ciiInvoiceXml('INV-1')), 'cii');
  assert.equal(xmlFormat('<CreditNote xmlns="urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"><cbc:ID/></CreditNote>'), 'ubl');
  assert.equal(xmlFormat('<ubl:Invoice xmlns:ubl="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>'), 'ubl');
  // The name alone is not enough: an Invoice in another namespace is generic XML.
  assert.equal(xmlFormat('<Invoice xmlns="urn:example:erp"><Total>1</Total></Invoice>'), 'xml');
  assert.equal(xmlFormat('<?xml version="1.0"?>\n<!-- exported -->\n<!DOCTYPE order [<!ENTITY x "y">]>\n<order id="1>2"/>'), 'xml');
  assert.equal(xmlFormat(`\uFEFF${ciiInvoiceXml('INV-2')}`), 'cii');
  assert.equal(xmlFormat('Invoice 42, total 10 EUR'), undefined);
  assert.equal(xmlFormat('<3 invoices left'), undefined);
});

test('text is valid UTF-8 (or UTF-16, or declared Latin-1 XML) without NUL bytes', () => {
  assert.equal(decodeText(Buffer.from('Rechnung Nr. 7 – Gesamt 119,00 €\n')), 'Rechnung Nr. 7 – Gesamt 119,00 €\n');
  assert.equal(decodeText(Buffer.from('\uFEFFwith BOM')), 'with BOM');
  assert.equal(decodeText(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('utf-16 text', 'utf16le')])), 'utf-16 text');
  const be = Buffer.from('utf-16 big', 'utf16le').swap16();
  assert.equal(decodeText(Buffer.concat([Buffer.from([0xfe, 0xff]), be])), 'utf-16 big');
  const latin = Buffer.from('<?xml version="1.0" encoding="ISO-8859-1"?><a>Stra\xdfe</a>', 'latin1');
  assert.equal(decodeText(latin), '<?xml version="1.0" encoding="ISO-8859-1"?><a>Straße</a>');
  assert.equal(decodeText(Buffer.from('Stra\xdfe', 'latin1')), undefined, 'undeclared Latin-1 is not UTF-8');
  assert.equal(decodeText(Buffer.from('a\x00b')), undefined);
  assert.equal(decodeText(junkBytes()), undefined);
});
