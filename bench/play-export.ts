// Writes an N-row Google Play Console reviews export (UTF-16LE with a BOM, the console's 16 columns),
// streamed in chunks so a million rows never sit in memory. Reviews are ~150 characters of varied text.
import fs from 'node:fs';
import { GOOGLE_PLAY_COLUMNS, GOOGLE_PLAY_PACKAGE } from '../plugins/reviews/fixtures.ts';

const WORDS = ['battery', 'strap', 'screen', 'app', 'update', 'crashes', 'great', 'slow', 'love', 'broke', 'after', 'a', 'week', 'the', 'sync', 'works', 'never', 'support', 'price', 'value', 'fast', 'bright', 'charging', 'again'];

export function writePlayExport(file: string, rows: number): void {
  const fd = fs.openSync(file, 'w');
  try {
    fs.writeSync(fd, Buffer.from([0xff, 0xfe]));
    let chunk = `${GOOGLE_PLAY_COLUMNS.join(',')}\n`;
    for (let i = 0; i < rows; i++) {
      let text = '';
      for (let w = 0; text.length < 140 + (i % 20); w++) text += `${WORDS[(i * 7 + w * 3 + (w * w) % 5) % WORDS.length]} `;
      const date = new Date(Date.UTC(2026, 9, 1) + i * 1000).toISOString().replace('.000Z', 'Z');
      const millis = String(Date.parse(date));
      const link = `https://play.google.com/console/developers/5551234567890123456/app/4973912345678901234/user-feedback/review-details?reviewId=gp-${i}&corpus=PUBLIC_REVIEWS`;
      chunk += [GOOGLE_PLAY_PACKAGE, '4120', '4.12.0', 'en', 'a52q', date, millis, date, millis, String((i % 5) + 1), '', text.trim(), '', '', '', link].join(',') + '\n';
      if (chunk.length > 1 << 20) {
        fs.writeSync(fd, Buffer.from(chunk, 'utf16le'));
        chunk = '';
      }
    }
    fs.writeSync(fd, Buffer.from(chunk, 'utf16le'));
  } finally {
    fs.closeSync(fd);
  }
}
