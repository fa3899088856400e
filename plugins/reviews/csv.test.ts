// The CSV/TSV record reader: recovery after bad rows, line numbers, chunk boundaries, RFC 4180 quoting.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { csvItems, quoteProblem, type CsvItem } from './csv.ts';

/** Feeds `text` to the reader in chunks of `size` bytes, as a file stream would, and collects the items. */
async function itemsOf(text: string, size = 7, delimiter = ','): Promise<CsvItem[]> {
  const bytes = Buffer.from(text, 'utf8');
  async function* chunks() {
    for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
  }
  const items: CsvItem[] = [];
  for await (const batch of csvItems(chunks(), delimiter)) items.push(...batch);
  return items;
}

const summary = (items: CsvItem[]) =>
  items.map((i) => (i.kind === 'header' ? `header ${i.fields.join('|')}` : i.kind === 'row' ? `row ${i.row}@${i.line} ${i.fields.join('|')}` : `broken ${i.row}@${i.line} ${i.reason}`));

test('a ragged row and a broken quote in the middle are reported with their row and line; the rows after them are read', async () => {
  const csv = [
    'review_id,stars,review_text',
    'a1,5,"Great, fast shipping"',
    'a2,4,too,many,fields',
    'a3,2,"Broke after a week',
    'and the seller never answered"',
    'a4,1,"Bad "quote" in the middle"x',
    'a5,3,Average',
    'a6,1,"He said ""wow"", twice"',
  ].join('\n');
  for (const size of [1, 5, 64, 1 << 20]) {
    assert.deepEqual(
      summary(await itemsOf(csv, size)),
      [
        'header review_id|stars|review_text',
        'row 1@2 a1|5|Great, fast shipping',
        'broken 2@3 expected 3 fields as in the header, found 5',
        'row 3@4 a3|2|Broke after a week\nand the seller never answered',
        'broken 4@6 bad quoting in field 3: a quote inside a quoted field must be doubled ("")',
        'row 5@7 a5|3|Average',
        'row 6@8 a6|1|He said "wow", twice',
      ],
      `chunks of ${size} bytes`,
    );
  }
});

test('a row with too few fields is reported too; blank lines are skipped but counted in line numbers', async () => {
  const items = await itemsOf('id,text\r\n\r\n1,one\r\n2\r\n\r\n3,"multi\r\nline"\r\n4,four\r\n');
  assert.deepEqual(summary(items), ['header id|text', 'row 1@3 1|one', 'broken 2@4 expected 2 fields as in the header, found 1', 'row 3@6 3|multi\r\nline', 'row 4@8 4|four']);
});

test('a quote left open at the end of the file fails that row only', async () => {
  const items = await itemsOf('id,text\n1,fine\n2,"never closed\nstill open\n');
  assert.deepEqual(summary(items), ['header id|text', 'row 1@2 1|fine', 'broken 2@3 a quoted field is not closed before the end of the file']);
});

test('a stray quote inside an unquoted field is kept as text (lenient), and TSV reads the same way', async () => {
  assert.deepEqual(summary(await itemsOf('id,text\n1,5 "stars" indeed\n')), ['header id|text', 'row 1@2 1|5 "stars" indeed']);
  assert.deepEqual(summary(await itemsOf('id\ttext\n1\t"tab, quoted"\n2\tplain, with comma\n', 3, '\t')), ['header id|text', 'row 1@2 1|tab, quoted', 'row 2@3 2|plain, with comma']);
});

test('quoteProblem follows RFC 4180 for quoted fields', () => {
  assert.equal(quoteProblem('a,"b ""c""",d\n', ','), undefined);
  assert.equal(quoteProblem('"a\nb",c', ','), undefined);
  assert.equal(quoteProblem('a,"b",\r', ','), undefined);
  assert.equal(quoteProblem('\n\na,"b"', ','), undefined);
  assert.match(quoteProblem('a,"b"x,c', ',') ?? '', /field 2/);
  assert.match(quoteProblem('a,"b', ',') ?? '', /never closed/);
  assert.match(quoteProblem('"a" ,b', ',') ?? '', /field 1/);
});

test('a quote opened early and never closed does not swallow the whole file into memory: it is reported and the read stops', async () => {
  const tail = '2,filler line that an unclosed quote keeps eating\n'.repeat(400_000); // ≈ 20 MB
  const items = await itemsOf(`id,text\n1,"opens here\n${tail}`, 256 * 1024);
  assert.deepEqual(summary(items).slice(0, 1), ['header id|text']);
  assert.equal(items.length, 2);
  assert.match(summary(items)[1] ?? '', /^broken 1@\d+ a record runs on for more than 16 MiB \(an unclosed quote\?\); the rest of the file is not read$/);
});
