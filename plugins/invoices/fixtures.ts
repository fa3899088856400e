// Invoice files made by code for tests (this plugin's and the engine's): valid tiny PDFs (plain, with
// pages packed in a compressed object stream, marked encrypted), minimal PNG and JPEG images, UBL and CII
// e-invoices, and a folder as they come in practice — invoices, a scan, an oversized PDF, junk and noise.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { deflateSync } from 'node:zlib';

/** A valid PDF 1.4 of `pages` pages, each showing `text`; uncompressed, with a correct xref table. */
export function minimalPdf(pages: number, text = 'Invoice'): Buffer {
  return classicPdf(pages, text, false);
}

/** Like minimalPdf, but its trailer names an /Encrypt dictionary (the content itself is not enciphered). */
export function encryptedPdf(pages: number, text = 'Invoice'): Buffer {
  return classicPdf(pages, text, true);
}

/**
 * A valid PDF 1.5 whose catalog, page tree and pages all sit in one FlateDecode object stream (/ObjStm),
 * indexed by a compressed cross-reference stream: no `/Type /Page` or `/Count` appears uncompressed.
 */
export function compressedPdf(pages: number, text = 'Invoice'): Buffer {
  const content = contentStream(text, 'Compressed invoice');
  const contentNum = 4 + pages;
  const objStmNum = contentNum + 1;
  const xrefNum = objStmNum + 1;
  const packed: Array<[number, string]> = [
    [1, '<< /Type /Catalog /Pages 2 0 R >>'],
    [2, `<< /Type /Pages /Kids [${range(pages).map((i) => `${4 + i} 0 R`).join(' ')}] /Count ${pages} >>`],
    [3, '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>'],
    ...range(pages).map((i): [number, string] => [4 + i, pageDict(contentNum)]),
  ];
  let body = '';
  const pairs: string[] = [];
  for (const [num, dict] of packed) {
    pairs.push(`${num} ${body.length}`);
    body += `${dict}\n`;
  }
  const header = `${pairs.join(' ')}\n`;
  const objStm = deflateSync(Buffer.from(header + body, 'latin1'));

  let out = '%PDF-1.5\n%\xe2\xe3\xcf\xd3\n';
  const offsets = new Map<number, number>();
  offsets.set(contentNum, out.length);
  out += `${contentNum} 0 obj\n<< /Length ${content.length} >>\nstream\n${content}\nendstream\nendobj\n`;
  offsets.set(objStmNum, out.length);
  out += `${objStmNum} 0 obj\n<< /Type /ObjStm /N ${packed.length} /First ${header.length} /Filter /FlateDecode /Length ${objStm.length} >>\nstream\n${objStm.toString('latin1')}\nendstream\nendobj\n`;
  const xrefOffset = out.length;
  offsets.set(xrefNum, xrefOffset);
  // /W [1 4 2]: type, then offset (type 1) or object stream number (type 2), then generation or index.
  const rows = Buffer.alloc((xrefNum + 1) * 7);
  for (const num of range(xrefNum + 1)) {
    const index = packed.findIndex(([n]) => n === num);
    const [type, field2, field3] = num === 0 ? [0, 0, 0xffff] : index >= 0 ? [2, objStmNum, index] : [1, offsets.get(num) ?? 0, 0];
    rows.writeUInt8(type, num * 7);
    rows.writeUInt32BE(field2, num * 7 + 1);
    rows.writeUInt16BE(field3, num * 7 + 5);
  }
  const xref = deflateSync(rows);
  out += `${xrefNum} 0 obj\n<< /Type /XRef /Size ${xrefNum + 1} /W [1 4 2] /Root 1 0 R /Filter /FlateDecode /Length ${xref.length} >>\nstream\n${xref.toString('latin1')}\nendstream\nendobj\n`;
  out += `startxref\n${xrefOffset}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

function classicPdf(pages: number, text: string, encrypted: boolean): Buffer {
  const objects: string[] = ['', '<< /Type /Catalog /Pages 2 0 R >>'];
  objects.push(`<< /Type /Pages /Kids [${range(pages).map((i) => `${4 + 2 * i} 0 R`).join(' ')}] /Count ${pages} >>`);
  objects.push('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>');
  for (const i of range(pages)) {
    objects.push(pageDict(5 + 2 * i));
    const content = contentStream(text, `Page ${i + 1} of ${pages}`);
    objects.push(`<< /Length ${content.length} >>\nstream\n${content}\nendstream`);
  }
  const encryptNum = objects.length;
  if (encrypted) objects.push('<< /Filter /Standard /V 1 /R 2 /O <' + '28bf4e5e'.repeat(8) + '> /U <' + '5c3b1f2a'.repeat(8) + '> /P -44 >>');
  let out = '%PDF-1.4\n%\xe2\xe3\xcf\xd3\n';
  const offsets: number[] = [];
  for (let num = 1; num < objects.length; num++) {
    offsets[num] = out.length;
    out += `${num} 0 obj\n${objects[num]}\nendobj\n`;
  }
  const xrefOffset = out.length;
  out += `xref\n0 ${objects.length}\n0000000000 65535 f \n`;
  for (let num = 1; num < objects.length; num++) out += `${String(offsets[num]).padStart(10, '0')} 00000 n \n`;
  const id = createHash('md5').update(text).digest('hex');
  const encrypt = encrypted ? ` /Encrypt ${encryptNum} 0 R` : '';
  out += `trailer\n<< /Size ${objects.length} /Root 1 0 R${encrypt} /ID [<${id}> <${id}>] >>\nstartxref\n${xrefOffset}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

function pageDict(contentNum: number): string {
  return `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents ${contentNum} 0 R >>`;
}

function contentStream(text: string, footer: string): string {
  return `BT /F1 12 Tf 72 770 Td (${pdfString(text)}) Tj 0 -18 Td (${pdfString(footer)}) Tj ET`;
}

/** A PDF literal string's content: Latin-1, with \, ( and ) escaped and anything else as `?`. */
function pdfString(text: string): string {
  return [...text].map((c) => (c === '\\' || c === '(' || c === ')' ? `\\${c}` : c.charCodeAt(0) < 0x20 || c.charCodeAt(0) > 0xff ? '?' : c)).join('');
}

/** A valid 1×1 white PNG (signature, IHDR, IDAT, IEND, CRCs). */
export function tinyPng(): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(1, 0); // width
  ihdr.writeUInt32BE(1, 4); // height
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, deflate, no filter method, not interlaced
  const pixels = deflateSync(Buffer.from([0, 0xff, 0xff, 0xff])); // filter byte 0, one white pixel
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), pngChunk('IHDR', ihdr), pngChunk('IDAT', pixels), pngChunk('IEND', Buffer.alloc(0))]);
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typed = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typed));
  return Buffer.concat([length, typed, crc]);
}

function crc32(bytes: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/**
 * A valid 1×1 grey baseline JPEG: JFIF header, a flat quantisation table, one-code Huffman tables and
 * one block whose DC difference and AC coefficients are all zero (entropy bits `00`, padded with ones).
 */
export function tinyJpeg(): Buffer {
  const segment = (marker: number, body: number[]) => [0xff, marker, (body.length + 2) >> 8, (body.length + 2) & 0xff, ...body];
  const oneCodeTable = (tableClass: number) => [tableClass << 4, 1, ...new Array<number>(15).fill(0), 0x00];
  return Buffer.from([
    0xff, 0xd8, // SOI
    ...segment(0xe0, [0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00]), // APP0 JFIF 1.1
    ...segment(0xdb, [0x00, ...new Array<number>(64).fill(1)]), // DQT: table 0, all ones
    ...segment(0xc0, [0x08, 0x00, 0x01, 0x00, 0x01, 0x01, 0x01, 0x11, 0x00]), // SOF0: 8-bit, 1×1, one component
    ...segment(0xc4, oneCodeTable(0)), // DHT: DC table 0, code `0` = category 0
    ...segment(0xc4, oneCodeTable(1)), // DHT: AC table 0, code `0` = end of block
    ...segment(0xda, [0x01, 0x01, 0x00, 0x00, 0x3f, 0x00]), // SOS: component 1, tables 0/0, spectral 0–63
    0x3f, // DC `0`, EOB `0`, six padding ones
    0xff, 0xd9, // EOI
  ]);
}

/** A minimal UBL 2.1 invoice (EN 16931) numbered `number`. */
export function ublInvoiceXml(number: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
         xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
         xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <cbc:CustomizationID>urn:cen.eu:en16931:2017</cbc:CustomizationID>
  <cbc:ID>${xmlEscape(number)}</cbc:ID>
  <cbc:IssueDate>2024-05-01</cbc:IssueDate>
  <cbc:DueDate>2024-05-31</cbc:DueDate>
  <cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>
  <cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>
  <cac:AccountingSupplierParty><cac:Party>
    <cac:PartyName><cbc:Name>Muster Lieferant GmbH</cbc:Name></cac:PartyName>
    <cac:PartyTaxScheme><cbc:CompanyID>DE123456789</cbc:CompanyID><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme>
  </cac:Party></cac:AccountingSupplierParty>
  <cac:AccountingCustomerParty><cac:Party>
    <cac:PartyName><cbc:Name>Example Buyer Ltd</cbc:Name></cac:PartyName>
  </cac:Party></cac:AccountingCustomerParty>
  <cac:TaxTotal><cbc:TaxAmount currencyID="EUR">19.00</cbc:TaxAmount></cac:TaxTotal>
  <cac:LegalMonetaryTotal>
    <cbc:LineExtensionAmount currencyID="EUR">100.00</cbc:LineExtensionAmount>
    <cbc:TaxExclusiveAmount currencyID="EUR">100.00</cbc:TaxExclusiveAmount>
    <cbc:TaxInclusiveAmount currencyID="EUR">119.00</cbc:TaxInclusiveAmount>
    <cbc:PayableAmount currencyID="EUR">119.00</cbc:PayableAmount>
  </cac:LegalMonetaryTotal>
  <cac:InvoiceLine>
    <cbc:ID>1</cbc:ID>
    <cbc:InvoicedQuantity unitCode="HUR">2</cbc:InvoicedQuantity>
    <cbc:LineExtensionAmount currencyID="EUR">100.00</cbc:LineExtensionAmount>
    <cac:Item><cbc:Name>Consulting</cbc:Name><cac:ClassifiedTaxCategory><cbc:ID>S</cbc:ID><cbc:Percent>19</cbc:Percent><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:ClassifiedTaxCategory></cac:Item>
    <cac:Price><cbc:PriceAmount currencyID="EUR">50.00</cbc:PriceAmount></cac:Price>
  </cac:InvoiceLine>
</Invoice>
`;
}

/** A minimal UN/CEFACT CII D16B invoice (EN 16931 profile) numbered `number`. */
export function ciiInvoiceXml(number: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
    xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
    xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100">
  <rsm:ExchangedDocumentContext>
    <ram:GuidelineSpecifiedDocumentContextParameter><ram:ID>urn:cen.eu:en16931:2017</ram:ID></ram:GuidelineSpecifiedDocumentContextParameter>
  </rsm:ExchangedDocumentContext>
  <rsm:ExchangedDocument>
    <ram:ID>${xmlEscape(number)}</ram:ID>
    <ram:TypeCode>380</ram:TypeCode>
    <ram:IssueDateTime><udt:DateTimeString format="102">20240501</udt:DateTimeString></ram:IssueDateTime>
  </rsm:ExchangedDocument>
  <rsm:SupplyChainTradeTransaction>
    <ram:ApplicableHeaderTradeAgreement>
      <ram:SellerTradeParty><ram:Name>Muster Lieferant GmbH</ram:Name></ram:SellerTradeParty>
      <ram:BuyerTradeParty><ram:Name>Example Buyer Ltd</ram:Name></ram:BuyerTradeParty>
    </ram:ApplicableHeaderTradeAgreement>
    <ram:ApplicableHeaderTradeDelivery/>
    <ram:ApplicableHeaderTradeSettlement>
      <ram:InvoiceCurrencyCode>EUR</ram:InvoiceCurrencyCode>
      <ram:SpecifiedTradeSettlementHeaderMonetarySummation>
        <ram:LineTotalAmount>100.00</ram:LineTotalAmount>
        <ram:TaxBasisTotalAmount>100.00</ram:TaxBasisTotalAmount>
        <ram:TaxTotalAmount currencyID="EUR">19.00</ram:TaxTotalAmount>
        <ram:GrandTotalAmount>119.00</ram:GrandTotalAmount>
        <ram:DuePayableAmount>119.00</ram:DuePayableAmount>
      </ram:SpecifiedTradeSettlementHeaderMonetarySummation>
    </ram:ApplicableHeaderTradeSettlement>
  </rsm:SupplyChainTradeTransaction>
</rsm:CrossIndustryInvoice>
`;
}

function xmlEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Bytes that look like nothing (no signature, not UTF-8), the same every run. */
export function junkBytes(length = 4096, seed = 'batchline junk'): Buffer {
  const blocks: Buffer[] = [];
  for (let i = 0; blocks.length * 32 < length; i++) blocks.push(createHash('sha256').update(`${seed}:${i}`).digest());
  const junk = Buffer.concat(blocks).subarray(0, length);
  junk[0] = 0x00; // not a signature, and NUL: never text
  return junk;
}

export interface InvoiceFolderFiles {
  /** Sent: 3 PDFs, 2 images (PNG, JPEG) and 1 UBL invoice, in the order the folder is read (sorted names). */
  sendable: string[];
  /** Failed items, by failure type: a 700-page PDF, and random bytes named scan.pdf. */
  failed: { too_many_pages: string[]; unsupported_file: string[] };
  /** Skipped as noise, never a document. */
  skipped: string[];
}

/** Writes an invoice folder as they come in practice into `dir` (which must exist) and says what each file should become. */
export function writeInvoiceFolder(dir: string): InvoiceFolderFiles {
  const files: Record<string, Buffer | string> = {
    'INV-1001.pdf': minimalPdf(1, 'Invoice INV-1001 - Acme Supplies - total 119.00 EUR'),
    'INV-1002.pdf': minimalPdf(2, 'Invoice INV-1002 - Globex Office - total 238.00 EUR'),
    'INV-1003.pdf': compressedPdf(3, 'Invoice INV-1003 - Initech Services - total 357.00 EUR'),
    'receipt-photo.jpg': tinyJpeg(),
    'scan-0001.png': tinyPng(),
    'INV-2001.xml': ublInvoiceXml('INV-2001'),
    'catalogue-700-pages.pdf': minimalPdf(700, 'Product catalogue, not an invoice'),
    'scan.pdf': junkBytes(),
    '.DS_Store': Buffer.concat([Buffer.from([0, 0, 0, 1]), Buffer.from('Bud1'), Buffer.alloc(64)]),
  };
  for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), content);
  return {
    sendable: ['INV-1001.pdf', 'INV-1002.pdf', 'INV-1003.pdf', 'INV-2001.xml', 'receipt-photo.jpg', 'scan-0001.png'],
    failed: { too_many_pages: ['catalogue-700-pages.pdf'], unsupported_file: ['scan.pdf'] },
    skipped: ['.DS_Store'],
  };
}
