// The reviews source end to end: real export layouts written to a temp folder, read through check() and read().
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { pino } from 'pino';
import { z } from 'zod';
import { SourceConfigError, SourceFatalError, type SourceContext, type SourceDocument } from '../../src/plugins/contract.ts';
import { GOOGLE_PLAY_COLUMNS, writeGooglePlayCsv } from './fixtures.ts';
import { reviewsSource } from './index.ts';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'reviews-source-'));
const ctx: SourceContext = {
  log: pino({ level: 'silent' }),
  fileRoots: [root],
  signal: new AbortController().signal,
  cursor: undefined,
  checkpoint: async () => {},
  connection: undefined,
};

function write(name: string, content: string | Buffer): string {
  fs.writeFileSync(path.join(root, name), content);
  return name;
}

/** Validates the config, runs check() as job creation does, then reads every document. */
async function readAll(config: unknown, context: SourceContext = ctx): Promise<SourceDocument[]> {
  const parsed = reviewsSource.configSchema.parse(config);
  await reviewsSource.check?.(parsed, context);
  const documents: SourceDocument[] = [];
  for await (const document of reviewsSource.read(parsed, context)) documents.push(document);
  return documents;
}

const failures = (docs: SourceDocument[]) => docs.filter((d) => d.failure).map((d) => `${d.id} ${d.failure?.type} ${d.failure?.message}`);
const good = (docs: SourceDocument[]) => docs.filter((d) => !d.failure);

test('a Google Play export (UTF-16LE with BOM, 16 columns, quoted multi-line texts) reads with ratings, dates and Play review ids', async () => {
  const file = path.join(root, 'reviews_com.example.app_202610.csv');
  writeGooglePlayCsv(file, [
    { reviewId: 'gp:AOqpTOH1', rating: 5, title: 'Love it', text: 'Works great, "really"\nsecond line\nthird, line', date: '2026-10-01T08:00:00Z' },
    { reviewId: 'gp:AOqpTOH2', rating: 1, text: 'Crashes on start — ça plante 😞', date: '2026-10-02T09:30:00Z' },
    { rating: 3, text: 'No link on this one' },
    { reviewId: 'gp:AOqpTOH4', rating: 4, text: '' },
  ]);
  const bytes = fs.readFileSync(file);
  assert.deepEqual([...bytes.subarray(0, 2)], [0xff, 0xfe], 'UTF-16LE BOM');
  assert.equal(bytes.subarray(2).toString('utf16le').split('\n')[0], GOOGLE_PLAY_COLUMNS.join(','));
  assert.equal(GOOGLE_PLAY_COLUMNS.length, 16);

  const docs = await readAll({ path: 'reviews_com.example.app_202610.csv', preset: 'google-play' });
  assert.equal(docs.length, 4);
  assert.deepEqual(docs[0], {
    id: 'gp:AOqpTOH1',
    text: 'Works great, "really"\nsecond line\nthird, line',
    title: 'Love it',
    metadata: { rating: 5, date: '2026-10-01T08:00:00.000Z', language: 'en', version: '4.12.0', product: 'com.example.app', row: 1, source: 'google-play' },
  });
  assert.equal(docs[1]?.id, 'gp:AOqpTOH2');
  assert.equal(docs[1]?.text, 'Crashes on start — ça plante 😞');
  assert.equal(docs[1]?.title, undefined, 'an empty Review Title is left out');
  assert.match(docs[2]?.id ?? '', /^sha256:[0-9a-f]{32}$/, 'no Review Link: a content hash');
  assert.deepEqual(failures(docs), ['gp:AOqpTOH4 empty_text row 4 (line 7): the review text (column "Review Text") is empty']);
});

test('a 2,000-row Play export written by the fixture reads whole, every document rated', async () => {
  writeGooglePlayCsv(
    path.join(root, 'play-2000.csv'),
    Array.from({ length: 2000 }, (_, i) => ({ reviewId: `gp:${i}`, rating: (i % 5) + 1, text: i % 7 === 0 ? `Review ${i}: a, b\n"c"` : `Review ${i}` })),
  );
  const docs = await readAll({ path: 'play-2000.csv', preset: 'google-play' });
  assert.equal(docs.length, 2000);
  assert.equal(new Set(docs.map((d) => d.id)).size, 2000);
  assert.ok(docs.every((d) => typeof d.metadata?.rating === 'number'));
  assert.equal(docs[14]?.text, 'Review 14: a, b\n"c"');
});

test('a CSV with a ragged row and a broken quote in the middle: both fail with their row number, every other row is read', async () => {
  const csv = [
    'review_id,stars,review_text',
    'a1,5,"Great, fast shipping"',
    'a2,4,too,many,fields',
    'a3,2,"Broke after a week',
    'and the seller never answered"',
    'a4,1,"Bad "quote" in the middle"x',
    'a5,3,Average',
    'a5,3,Average',
  ].join('\n');
  const docs = await readAll({ path: write('mixed.csv', csv), columns: { id: 'review_id', text: 'review_text', rating: 'stars' } });
  assert.deepEqual(failures(docs), [
    'row-2 invalid_row row 2 (line 3): expected 3 fields as in the header, found 5',
    'row-4 invalid_row row 4 (line 6): bad quoting in field 3: a quote inside a quoted field must be doubled ("")',
  ]);
  assert.deepEqual(
    good(docs).map((d) => [d.id, d.text, d.metadata?.rating]),
    [
      ['a1', 'Great, fast shipping', 5],
      ['a3', 'Broke after a week\nand the seller never answered', 2],
      ['a5', 'Average', 3],
      ['a5', 'Average', 3],
    ],
  );
});

test('TSV with an explicit column mapping and extra metadata columns', async () => {
  const tsv = ['Id\tBody\tHeadline\tScore\tWho\tWhen\tLang\tSku\tChannel', 'r1\tFits well\tGood\t4\tAnn\t2024-05-01 10:00:00\tde\tSKU-1\tweb', 'r2\t"Quoted\ttab"\t\t2\tBo\t\t\tSKU-2\t'].join('\n');
  const docs = await readAll({
    path: write('export.tsv', tsv),
    columns: { id: 'Id', text: 'Body', title: 'Headline', rating: 'Score', author: 'Who', date: 'When', language: 'Lang', product: 'Sku' },
    metadata_columns: ['Channel'],
  });
  assert.deepEqual(docs, [
    { id: 'r1', text: 'Fits well', title: 'Good', metadata: { rating: 4, date: '2024-05-01T10:00:00.000Z', author: 'Ann', language: 'de', product: 'SKU-1', Channel: 'web', row: 1, source: 'tsv' } },
    { id: 'r2', text: 'Quoted\ttab', metadata: { rating: 2, author: 'Bo', product: 'SKU-2', row: 2, source: 'tsv' } },
  ]);
});

test('Amazon Reviews 2023 JSONL: ms timestamps, asin, hashed ids; a broken line fails alone, blank lines are skipped', async () => {
  const review = { rating: 5.0, title: 'Works', text: 'Fits fine.', images: [], asin: 'B0AAAA', parent_asin: 'B0AAAA', user_id: 'AGX1', timestamp: 1588687728923, helpful_vote: 2, verified_purchase: true };
  const lines = [JSON.stringify(review), '', '{"rating": 2.0, "text": "trunc', JSON.stringify({ ...review, rating: 2.0, text: 'Too small', title: '', user_id: 'AGX2' }), JSON.stringify(review), '   '];
  const docs = await readAll({ path: write('Appliances.jsonl', lines.join('\n')), preset: 'amazon', metadata_columns: ['verified_purchase', 'helpful_vote'] });
  assert.equal(docs.length, 4);
  assert.match(failures(docs)[0] ?? '', /^line-3 invalid_row line 3: not valid JSON/);
  const [first, second, third] = good(docs);
  assert.deepEqual(first?.metadata, { rating: 5, date: '2020-05-05T14:08:48.923Z', author: 'AGX1', product: 'B0AAAA', verified_purchase: true, helpful_vote: 2, row: 1, source: 'amazon' });
  assert.equal(first?.title, 'Works');
  assert.match(first?.id ?? '', /^sha256:/);
  assert.equal(second?.metadata?.row, 4);
  assert.equal(third?.id, first?.id, 'the same review twice has the same id');
  assert.notEqual(second?.id, first?.id);
});

test('Yelp review.json: review_id, stars as a number, zone-less dates read as UTC, business id as product', async () => {
  const line = (id: string, stars: number, text: string) => JSON.stringify({ review_id: id, user_id: 'u-1', business_id: 'XQfwVwDr-v0ZS3_CbbE5Xw', stars, useful: 0, funny: 0, cool: 0, text, date: '2018-07-07 22:09:11' });
  const docs = await readAll({ path: write('yelp_academic_dataset_review.json', `${line('KU_O5udG6zpxOg-VcAEodg', 3.0, 'Decent food.')}\n${line('BiTunyQ73aT9WBnpR9DZGw', 5, '')}\n`), preset: 'yelp' });
  assert.deepEqual(docs[0], {
    id: 'KU_O5udG6zpxOg-VcAEodg',
    text: 'Decent food.',
    metadata: { rating: 3, date: '2018-07-07T22:09:11.000Z', author: 'u-1', product: 'XQfwVwDr-v0ZS3_CbbE5Xw', row: 1, source: 'yelp' },
  });
  assert.deepEqual(failures(docs), ['BiTunyQ73aT9WBnpR9DZGw empty_text line 2: the review text (key "text") is empty']);
});

test('App Store Connect customerReviews: JSON:API objects per line, or whole documents; other resource types are skipped', async () => {
  const review = (id: string, body: string) => ({
    type: 'customerReviews',
    id,
    attributes: { rating: 4, title: 'Nice', body, reviewerNickname: 'kiwi', createdDate: '2017-11-15T08:10:34-08:00', territory: 'USA' },
    relationships: { response: { data: null } },
  });
  const document = { data: [review('r2', 'Second'), review('r3', 'Third')], included: [{ type: 'customerReviewResponses', id: 'x', attributes: { responseBody: 'Thanks' } }] };
  const docs = await readAll({ path: write('app-store.jsonl', `${JSON.stringify(review('r1', 'First'))}\n${JSON.stringify(document)}\n${JSON.stringify({ type: 'customerReviewResponses', id: 'y', attributes: { responseBody: 'Hi' } })}\n`), preset: 'app-store' });
  assert.deepEqual(
    docs.map((d) => [d.id, d.text]),
    [
      ['r1', 'First'],
      ['r2', 'Second'],
      ['r3', 'Third'],
    ],
  );
  assert.deepEqual(docs[0]?.metadata, { rating: 4, date: '2017-11-15T16:10:34.000Z', author: 'kiwi', territory: 'USA', row: 1, source: 'app-store' });
  assert.equal(docs[0]?.title, 'Nice');
});

test('App Store CSVs from third-party tools are mapped by fuzzy header names', async () => {
  const csv = ['Review ID,Stars,Review Title,Review Body,Created At,App Version,Country,Nickname', '991,2,Meh,"Slow, buggy",2024-02-03T04:05:06Z,3.1,GBR,jo'].join('\n');
  const [doc] = await readAll({ path: write('appfollow.csv', csv), preset: 'app-store' });
  assert.deepEqual(doc, { id: '991', text: 'Slow, buggy', title: 'Meh', metadata: { rating: 2, date: '2024-02-03T04:05:06.000Z', author: 'jo', version: '3.1', territory: 'GBR', row: 1, source: 'app-store' } });
});

test('Trustpilot business export: "Review Id" spelling, stars, created (UTC)', async () => {
  const csv = ['Review Id,Review Created (UTC),Review Consumer User Id,Review Username,Review Title,Review Content,Review Stars,Business Unit Id', '5f1a,2021-03-18 10:12:43,c1,Mia,Fast,"Quick delivery, thanks",5,bu-9'].join('\r\n');
  const [doc] = await readAll({ path: write('trustpilot.csv', csv), preset: 'trustpilot' });
  assert.deepEqual(doc, { id: '5f1a', text: 'Quick delivery, thanks', title: 'Fast', metadata: { rating: 5, date: '2021-03-18T10:12:43.000Z', author: 'Mia', product: 'bu-9', row: 1, source: 'trustpilot' } });
});

test('ids are stable across reads, and duplicate rows without an id column collapse into one id', async () => {
  const name = write('no-ids.csv', 'text,stars,author\nGreat,5,ann\nGreat,5,ann\nGreat,5,bob\n');
  const config = { path: name, columns: { text: 'text', rating: 'stars', author: 'author' } };
  const first = (await readAll(config)).map((d) => d.id);
  const second = (await readAll(config)).map((d) => d.id);
  assert.deepEqual(second, first);
  assert.equal(first[0], first[1]);
  assert.notEqual(first[2], first[0]);
});

test('format and delimiter are sniffed when the extension says nothing; UTF-8 and UTF-16BE BOMs are honoured', async () => {
  assert.deepEqual((await readAll({ path: write('dump.txt', '{"text":"json here","stars":2}\n'), columns: { text: 'text', rating: 'stars' } }))[0]?.metadata, { rating: 2, row: 1, source: 'jsonl' });
  assert.equal((await readAll({ path: write('tabs.txt', 'text\tstars\nhello, world\t4\n'), columns: { text: 'text' } }))[0]?.text, 'hello, world');
  assert.equal((await readAll({ path: write('semicolons.csv', '\ufefftext;stars\n"a; b";4\n'), columns: { text: 'text', rating: 'stars' } }))[0]?.text, 'a; b');
  const be = Buffer.from('\ufefftext,stars\nbig endian,1\n', 'utf16le').swap16();
  assert.equal((await readAll({ path: write('be.csv', be), columns: { text: 'text' } }))[0]?.text, 'big endian');
});

test('check() refuses paths outside the roots, missing files and directories, naming the path field', async () => {
  fs.mkdirSync(path.join(root, 'a-folder'), { recursive: true });
  const refusal = async (p: string) => {
    const error = await reviewsSource.check?.(reviewsSource.configSchema.parse({ path: p, preset: 'yelp' }), ctx).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(error instanceof SourceConfigError, `${p}: ${String(error)}`);
    assert.equal(error.field, 'path');
    return error.message;
  };
  assert.match(await refusal('/etc/passwd'), /outside BATCHLINE_FILE_ROOTS/);
  assert.match(await refusal('../../etc/passwd'), /outside BATCHLINE_FILE_ROOTS/);
  assert.match(await refusal('nowhere.json'), /does not exist/);
  assert.match(await refusal('a-folder'), /is a directory/);
});

test('check() compares the mapping with the file: a missing text or metadata column is refused up front, and read() fails for good', async () => {
  const name = write('no-text.csv', 'Package Name,Star Rating\ncom.x,5\n');
  const refused = async (config: unknown) => {
    try {
      await reviewsSource.check?.(reviewsSource.configSchema.parse(config), ctx);
    } catch (error) {
      assert.ok(error instanceof SourceConfigError);
      return `${error.field}: ${error.message}`;
    }
    assert.fail('accepted');
  };
  assert.match(await refused({ path: name, preset: 'google-play' }), /^columns\.text: no review text column: the google-play preset expects "Review Text"/);
  assert.match(await refused({ path: name, columns: { text: 'Body' } }), /^columns\.text: column "Body" is not in the file's header \(2 columns; /);
  assert.match(await refused({ path: name, columns: { text: 'Package Name' }, metadata_columns: ['Device'] }), /^metadata_columns\.0: column "Device"/);
  assert.match(await refused({ path: write('wrong-key.jsonl', '{"body":"x"}\n'), preset: 'yelp' }), /^columns\.text: the first record \(line 1\) has no review text under key "text"/);
  assert.match(await refused({ path: write('pretty.json', '[\n  {"text": "x"}\n]\n'), columns: { text: 'text' } }), /^format: the file is not JSON Lines: line 1 is not valid JSON/);

  const read = reviewsSource.read(reviewsSource.configSchema.parse({ path: name, preset: 'google-play' }), ctx);
  await assert.rejects(read[Symbol.asyncIterator]().next(), (error: unknown) => error instanceof SourceFatalError && /^columns\.text: /.test(error.message));
});

test('the config schema: a preset or columns.text is required, no transforms, JSON Schema for forms', () => {
  const missing = reviewsSource.configSchema.safeParse({ path: 'x.csv' });
  assert.deepEqual(
    missing.error?.issues.map((i) => [i.path.join('.'), i.message]),
    [['columns.text', 'set a preset or columns.text']],
  );
  assert.equal(reviewsSource.configSchema.safeParse({ preset: 'yelp' }).error?.issues[0]?.message, 'is required');
  assert.equal(reviewsSource.configSchema.safeParse({ path: 'x', preset: 'yelp', delimiter: ';;' }).error?.issues[0]?.message, 'must be a single character');
  assert.equal(reviewsSource.configSchema.safeParse({ path: 'x', preset: 'ebay' }).success, false);
  assert.deepEqual(reviewsSource.configSchema.parse({ path: 'x', preset: 'yelp' }), { path: 'x', preset: 'yelp', format: 'auto', encoding: 'auto' });
  const json = z.toJSONSchema(reviewsSource.configSchema, { io: 'input' }) as { properties: Record<string, unknown>; required: string[] };
  assert.deepEqual(Object.keys(json.properties), ['path', 'format', 'preset', 'columns', 'metadata_columns', 'delimiter', 'encoding']);
  assert.deepEqual(json.required, ['path']);
});

test('an aborted signal ends the read early', async () => {
  writeGooglePlayCsv(path.join(root, 'abort.csv'), Array.from({ length: 20_000 }, (_, i) => ({ rating: 3, text: `Review number ${i} with some padding to fill chunks` })));
  const controller = new AbortController();
  let count = 0;
  for await (const _ of reviewsSource.read(reviewsSource.configSchema.parse({ path: 'abort.csv', preset: 'google-play' }), { ...ctx, signal: controller.signal })) {
    if (++count === 10) controller.abort();
  }
  assert.ok(count < 20_000, `stopped after ${count}`);
});
