// Value normalization, ids and encoding sniffing: the small rules every document goes through.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sniffEncoding } from './encoding.ts';
import { contentId, reviewIdFromLink } from './ids.ts';
import { dateOf, ratingOf, textOf } from './values.ts';

test('dates become ISO UTC: Play ISO, offsets, Yelp and Trustpilot zone-less times as UTC, epoch ms and s', () => {
  assert.equal(dateOf('2016-06-08T19:04:33Z'), '2016-06-08T19:04:33.000Z');
  assert.equal(dateOf('2017-11-15T08:10:34-08:00'), '2017-11-15T16:10:34.000Z');
  assert.equal(dateOf('2018-07-07 22:09:11'), '2018-07-07T22:09:11.000Z');
  assert.equal(dateOf('2021-03-18'), '2021-03-18T00:00:00.000Z');
  assert.equal(dateOf(1588687728923), '2020-05-05T14:08:48.923Z');
  assert.equal(dateOf('1588687728'), '2020-05-05T14:08:48.000Z');
  assert.equal(dateOf('2021-02-30 10:00:00'), '2021-02-30 10:00:00', 'an impossible day is kept as written');
  assert.equal(dateOf('18/03/2021 10:12'), '18/03/2021 10:12', 'an ambiguous form is kept, not guessed in a local zone');
  assert.equal(dateOf('  '), undefined);
  assert.equal(dateOf(undefined), undefined);
});

test('ratings are numbers; text is trimmed with CRLF folded to LF', () => {
  assert.equal(ratingOf('5'), 5);
  assert.equal(ratingOf('4.0'), 4);
  assert.equal(ratingOf(3), 3);
  assert.equal(ratingOf('n/a'), undefined);
  assert.equal(ratingOf(''), undefined);
  assert.equal(textOf('  a\r\nb\rc  '), 'a\nb\nc');
  assert.equal(textOf(''), undefined);
  assert.equal(textOf(null), undefined);
  assert.equal(textOf(42), '42');
});

test('the Play review id comes from the new and the old console link forms', () => {
  assert.equal(reviewIdFromLink('https://play.google.com/console/developers/1/app/2/user-feedback/review-details?reviewId=gp%3AAOqpTOabc&corpus=PUBLIC_REVIEWS'), 'gp:AOqpTOabc');
  assert.equal(reviewIdFromLink('https://play.google.com/apps/publish?account=6990757264476384522#ReviewDetailsPlace:p=br.com.app&reviewid=gp:AOqpTOGOY7KZ-cEm'), 'gp:AOqpTOGOY7KZ-cEm');
  assert.equal(reviewIdFromLink('https://play.google.com/store/apps/details?id=com.app'), undefined);
  assert.equal(reviewIdFromLink(''), undefined);
});

test('content ids are stable, short and change with any identifying part', () => {
  const a = contentId(['Great', undefined, 5, 'u1', '2020-01-01T00:00:00.000Z', 'B0X']);
  assert.match(a, /^sha256:[0-9a-f]{32}$/);
  assert.equal(contentId(['Great', undefined, 5, 'u1', '2020-01-01T00:00:00.000Z', 'B0X']), a);
  assert.notEqual(contentId(['Great', undefined, 4, 'u1', '2020-01-01T00:00:00.000Z', 'B0X']), a);
  assert.notEqual(contentId(['Great', '', 5, 'u1', '2020-01-01T00:00:00.000Z', 'B0X']), a);
});

test('encodings: BOMs, BOM-less UTF-16 by its zero bytes, else UTF-8; an explicit setting wins', () => {
  assert.equal(sniffEncoding(Buffer.from([0xff, 0xfe, 0x61, 0]), 'auto'), 'utf16le');
  assert.equal(sniffEncoding(Buffer.from([0xfe, 0xff, 0, 0x61]), 'auto'), 'utf16be');
  assert.equal(sniffEncoding(Buffer.from([0xef, 0xbb, 0xbf, 0x61]), 'auto'), 'utf8');
  assert.equal(sniffEncoding(Buffer.from('Package Name,Star Rating\n', 'utf16le'), 'auto'), 'utf16le');
  assert.equal(sniffEncoding(Buffer.from('Package Name,Star Rating\n'), 'auto'), 'utf8');
  assert.equal(sniffEncoding(Buffer.from('Package Name,Star Rating\n'), 'utf16le'), 'utf16le');
});
