// Writes realistic Play Console review exports for tests: UTF-16LE with a BOM, the 16 columns of the
// monthly reviews CSV (formats.md B), fields quoted only when they need it, texts spanning lines.
import fs from 'node:fs';

export const GOOGLE_PLAY_COLUMNS = [
  'Package Name',
  'App Version Code',
  'App Version Name',
  'Reviewer Language',
  'Device',
  'Review Submit Date and Time',
  'Review Submit Millis Since Epoch',
  'Review Last Update Date and Time',
  'Review Last Update Millis Since Epoch',
  'Star Rating',
  'Review Title',
  'Review Text',
  'Developer Reply Date and Time',
  'Developer Reply Millis Since Epoch',
  'Developer Reply Text',
  'Review Link',
] as const;

export interface GooglePlayRow {
  text: string;
  rating: number;
  title?: string;
  /** ISO 8601, e.g. `2026-10-01T08:00:00Z`; default: a minute per row from 2026-10-01. */
  date?: string;
  /** Put into the Review Link as `reviewId=…`; without it the row has no link. */
  reviewId?: string;
}

export const GOOGLE_PLAY_PACKAGE = 'com.example.app';

/** Writes `rows` as a Play Console reviews CSV (UTF-16LE, BOM FF FE, LF line ends), synchronously. */
export function writeGooglePlayCsv(path: string, rows: readonly GooglePlayRow[]): void {
  const lines = [GOOGLE_PLAY_COLUMNS.join(',')];
  rows.forEach((r, i) => {
    const date = r.date ?? new Date(Date.UTC(2026, 9, 1) + i * 60_000).toISOString().replace('.000Z', 'Z');
    const millis = String(Date.parse(date));
    const link = r.reviewId === undefined ? '' : `https://play.google.com/console/developers/5551234567890123456/app/4973912345678901234/user-feedback/review-details?reviewId=${encodeURIComponent(r.reviewId)}&corpus=PUBLIC_REVIEWS`;
    lines.push(
      [GOOGLE_PLAY_PACKAGE, '4120', '4.12.0', 'en', i % 2 === 0 ? 'a52q' : 'oriole', date, millis, date, millis, String(r.rating), r.title ?? '', r.text, '', '', '', link]
        .map(csvField)
        .join(','),
    );
  });
  const body = Buffer.from(`${lines.join('\n')}\n`, 'utf16le');
  fs.writeFileSync(path, Buffer.concat([Buffer.from([0xff, 0xfe]), body]));
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}
