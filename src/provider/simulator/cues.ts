// A small sentiment lexicon: what makes the simulator read "broke after a week" as negative and "love it"
// as positive. Phrases are matched before words; a cue right after a negation ("not great", "never
// crashes") counts the other way. Deliberately plain: the point is answers that follow the document.

const POSITIVE_PHRASES = ['works great', 'works well', 'works perfectly', 'five stars', 'would buy again', 'highly recommend', 'answered in minutes', 'easy to use', 'easy to read', 'good value', 'great value', 'worth it', 'no problems', 'no issues'];
const NEGATIVE_PHRASES = [
  'never answered',
  'never arrived',
  'no response',
  'no reply',
  'stopped working',
  "doesn't work",
  'does not work',
  'not working',
  'way off',
  'too many',
  'waste of money',
  'never again',
  'without notice',
  'fell apart',
  'took forever',
  'lost all',
  'charged twice',
  'one star',
];

const POSITIVE_WORDS = new Set([
  'love', 'loved', 'loves', 'lovely', 'great', 'excellent', 'perfect', 'perfectly', 'amazing', 'awesome', 'fantastic', 'good', 'nice', 'happy',
  'pleased', 'recommend', 'recommended', 'best', 'easy', 'fast', 'quick', 'instant', 'instantly', 'painless', 'reliable', 'bright', 'clear',
  'clean', 'solid', 'fair', 'smooth', 'comfortable', 'helpful', 'friendly', 'beautiful', 'wonderful', 'superb', 'brilliant', 'lasts',
  'intuitive', 'flawless', 'delighted', 'thanks', 'thank', 'glad', 'impressed', 'adore', 'génial', 'parfait', 'excelente', 'bueno', 'toll', 'gut',
]);
const NEGATIVE_WORDS = new Set([
  'broke', 'broken', 'breaks', 'crash', 'crashes', 'crashing', 'crashed', 'bug', 'bugs', 'buggy', 'terrible', 'awful', 'horrible', 'worst',
  'bad', 'poor', 'useless', 'waste', 'slow', 'damaged', 'defective', 'faulty', 'fail', 'fails', 'failing', 'failed', 'failure', 'lost',
  'refund', 'disappointed', 'disappointing', 'annoying', 'overpriced', 'ads', 'fragile', 'missing', 'late', 'wrong', 'error', 'errors',
  'problem', 'problems', 'unusable', 'scam', 'rude', 'unhelpful', 'doubled', 'removed', 'drains', 'dead', 'died', 'noisy', 'leaks',
  'confusing', 'frustrating', 'angry', 'unacceptable', 'cassé', 'nul', 'mauvais', 'malo', 'schlecht', 'kaputt',
]);
const NEGATIONS = new Set(['not', 'never', 'no', "don't", "didn't", "isn't", "wasn't", 'hardly', 'without']);

export type Sentiment = 'positive' | 'negative' | 'neutral' | 'mixed';

export interface CueCount {
  positive: number;
  negative: number;
}

/**
 * Reviews and tickets are read this far: the answer follows what a long document opens with, and a
 * 60 KB document costs the simulator ~20 ms instead of blocking its process for seconds per batch.
 */
export const READ_CHARS = 8000;

/** The part of a text the review and ticket answers are made from. */
export function readablePart(text: string): string {
  return text.length <= READ_CHARS ? text : text.slice(0, READ_CHARS);
}

/** Lowercase words, apostrophes kept ("doesn't"). */
export function wordsOf(text: string): string[] {
  // A one-letter elision (French j'adore, l'écran) is not part of the word.
  return (text.toLowerCase().match(/[\p{L}\p{N}']+/gu) ?? []).map((w) => w.replace(/^\p{L}'(?=\p{L}{2})/u, ''));
}

export function countCues(text: string): CueCount {
  let lower = ` ${text.toLowerCase().replace(/\s+/g, ' ')} `;
  let positive = 0;
  let negative = 0;
  // Phrases first, blanked out so their words are not counted again.
  for (const phrase of NEGATIVE_PHRASES) {
    while (lower.includes(phrase)) {
      negative += 1;
      lower = lower.replace(phrase, ' ');
    }
  }
  for (const phrase of POSITIVE_PHRASES) {
    while (lower.includes(phrase)) {
      positive += 1;
      lower = lower.replace(phrase, ' ');
    }
  }
  // A negation reaches the end of its clause at most.
  for (const clause of lower.split(/[,.;:!?]|\bbut\b|\bmais\b/)) {
    const words = wordsOf(clause);
    words.forEach((word, i) => {
      // Up to three words back: "not very good", "never had a problem".
      const negated = [1, 2, 3].some((back) => NEGATIONS.has(words[i - back] ?? ''));
      if (POSITIVE_WORDS.has(word)) {
        if (negated) negative += 1;
        else positive += 1;
      } else if (NEGATIVE_WORDS.has(word)) {
        if (negated) positive += 1;
        else negative += 1;
      }
    });
  }
  return { positive, negative };
}

/** Both kinds of cue → mixed; none → the star rating decides when there is one, else neutral. */
export function sentimentOf(text: string, rating?: number): Sentiment {
  const { positive, negative } = countCues(text);
  if (positive > 0 && negative > 0) return 'mixed';
  if (positive > 0) return 'positive';
  if (negative > 0) return 'negative';
  if (rating !== undefined) return rating >= 4 ? 'positive' : rating <= 2 ? 'negative' : 'neutral';
  return 'neutral';
}

/** The sentences of a text, trimmed, without empty ones. */
export function sentencesOf(text: string): string[] {
  return text
    .split(/(?<=[.!?])\s+|\n+/)
    .map((s) => s.trim())
    .filter((s) => /[\p{L}\p{N}]/u.test(s));
}

/** A sentence as a short phrase: no closing punctuation, at most `max` characters, cut at a word. */
export function phraseOf(sentence: string, max = 80): string {
  const bare = sentence.replace(/[.!?…]+$/u, '').trim();
  if (bare.length <= max) return bare;
  const cut = bare.slice(0, max);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).trim()}…`;
}
