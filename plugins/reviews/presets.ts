// The known export layouts (formats.md B): for each field, the columns (CSV/TSV header names, matched
// without regard to case) or keys (JSONL, dotted paths into nested objects) it is read from, first
// non-empty wins. One preset serves every format its exports come in, e.g. Trustpilot's CSV and API JSON.
import type { Preset, Role } from './config.ts';
import { reviewIdFromLink } from './ids.ts';

/** `territory` is the App Store's storefront country; no explicit column maps to it. */
export type Field = Role | 'territory';

export interface Candidate {
  name: string;
  /** Turns the raw value into the field's value (the review id inside a Play Console link). */
  derive?: (value: unknown) => string | undefined;
}

export interface PresetSpec {
  fields: Partial<Record<Field, ReadonlyArray<string | Candidate>>>;
  /**
   * Third-party App Store CSVs have no fixed header: when no exact name matches, a field is taken from
   * the first header containing one of these words ("Review Body" → text, "Stars" → rating).
   */
  fuzzy?: Partial<Record<Field, readonly string[]>>;
}

export const PRESET_SPECS: Record<Preset, PresetSpec> = {
  // Play Console monthly CSV (16 columns, UTF-16) and the androidpublisher v3 `reviews` resource.
  'google-play': {
    fields: {
      id: [{ name: 'Review Link', derive: reviewIdFromLink }, 'reviewId'],
      text: ['Review Text', 'comments.0.userComment.text'],
      title: ['Review Title'],
      rating: ['Star Rating', 'comments.0.userComment.starRating'],
      author: ['authorName'],
      date: ['Review Submit Date and Time', 'Review Submit Millis Since Epoch', 'Review Last Update Date and Time', 'comments.0.userComment.lastModified.seconds'],
      language: ['Reviewer Language', 'comments.0.userComment.reviewerLanguage'],
      version: ['App Version Name', 'App Version Code', 'comments.0.userComment.appVersionName'],
      product: ['Package Name'],
    },
  },
  // App Store Connect `customerReviews` (JSON:API, one object per line) and third-party CSVs.
  'app-store': {
    fields: {
      id: ['id', 'Review ID', 'review_id', 'reviewId'],
      text: ['attributes.body', 'body', 'review', 'content', 'text'],
      title: ['attributes.title', 'title'],
      rating: ['attributes.rating', 'rating', 'stars'],
      author: ['attributes.reviewerNickname', 'reviewerNickname', 'author', 'nickname'],
      date: ['attributes.createdDate', 'createdDate', 'date', 'created'],
      version: ['version', 'app version'],
      territory: ['attributes.territory', 'territory', 'country'],
    },
    fuzzy: {
      id: ['id'],
      title: ['title'],
      rating: ['rating', 'stars'],
      date: ['date', 'created'],
      version: ['version'],
      territory: ['territory', 'country'],
      author: ['author', 'nickname'],
      text: ['body', 'review', 'content'],
    },
  },
  // Business export CSV (column names as seen in loaders, both spellings of the id) and the API review object.
  trustpilot: {
    fields: {
      id: ['Review ID', 'id'],
      text: ['Review Content', 'text'],
      title: ['Review Title', 'title'],
      rating: ['Review Stars', 'stars'],
      author: ['Review Username', 'consumer.displayName'],
      date: ['Review Created (UTC)', 'createdAt'],
      language: ['Review Language', 'language'],
      product: ['Business Unit Id', 'businessUnit.id'],
    },
  },
  // Amazon Reviews 2023 JSONL (no review id: ids are content hashes), the 2018 set and the old AWS TSV.
  amazon: {
    fields: {
      id: ['review_id'],
      text: ['text', 'reviewText', 'review_body'],
      title: ['title', 'summary', 'review_headline'],
      rating: ['rating', 'overall', 'star_rating'],
      author: ['user_id', 'reviewerID', 'customer_id'],
      date: ['timestamp', 'unixReviewTime', 'review_date'],
      product: ['asin', 'parent_asin', 'product_id'],
    },
  },
  // Yelp Open Dataset review.json (JSONL); `date` has no zone and is read as UTC.
  yelp: {
    fields: {
      id: ['review_id'],
      text: ['text'],
      rating: ['stars'],
      author: ['user_id'],
      date: ['date'],
      product: ['business_id'],
    },
  },
};
