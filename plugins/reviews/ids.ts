// Stable external ids: the export's own review id when it has one, else a hash of the review itself,
// so reading the same file again yields the same ids and a review exported twice collapses into one.
import { createHash } from 'node:crypto';

/** The parts of a review that make it the same review: normalized text, title, rating, author, date, product. */
export type IdentityParts = readonly [text: string, title?: string, rating?: number, author?: string, date?: string, product?: string];

export function contentId(parts: IdentityParts): string {
  // JSON of a fixed-order array: unambiguous (no separator can be forged by the text) and cheap.
  return `sha256:${createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 32)}`;
}

// Play Console links carry the id as `?reviewId=gp:…` (new console) or `…&reviewid=gp:…` in the
// fragment (old console), so the name is matched without regard to case, anywhere in the link.
const REVIEW_ID_PARAM = /[?&#]reviewid=([^&#]+)/i;

/** The `reviewId` parameter of a Play Console review link, or undefined. */
export function reviewIdFromLink(link: unknown): string | undefined {
  if (typeof link !== 'string' || link.length === 0) return undefined;
  const match = REVIEW_ID_PARAM.exec(link);
  const raw = match?.[1];
  if (raw === undefined) return undefined;
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}
