// The simulator's error-free answer to the built-in review-insights task: sentiment and score from the
// review's cue words (the star rating decides only when the text has none), its points and complaints
// from the sentences that carry cues, and a one-sentence summary.
import { countCues, phraseOf, readablePart, sentencesOf, sentimentOf, type Sentiment } from './cues.ts';
import type { PromptDocument } from './prompt-document.ts';

export interface ReviewAnswer {
  sentiment: Sentiment;
  score: number;
  key_points: string[];
  issues: string[];
  summary: string;
}

const MAX_POINTS = 4;

function ratingOf(metadata: Record<string, unknown>): number | undefined {
  const raw = metadata.rating ?? metadata.stars ?? metadata.score;
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' ? Number(raw) : NaN;
  return Number.isFinite(n) && n >= 1 && n <= 5 ? Math.round(n) : undefined;
}

function scoreOf(sentiment: Sentiment, strength: number, rating: number | undefined): number {
  if (sentiment === 'positive') return strength >= 2 ? 5 : 4;
  if (sentiment === 'negative') return strength >= 2 ? 1 : 2;
  if (sentiment === 'neutral' && rating !== undefined) return rating;
  return 3;
}

const OPENING: Record<Sentiment, string> = {
  positive: 'The reviewer is happy',
  negative: 'The reviewer is unhappy',
  mixed: 'The reviewer has mixed feelings',
  neutral: 'A neutral review',
};

export function reviewAnswer(doc: PromptDocument): ReviewAnswer {
  const body = readablePart(doc.text);
  const text = [doc.title, body].filter(Boolean).join('. ');
  const rating = ratingOf(doc.metadata);
  const sentiment = sentimentOf(text, rating);
  const cues = countCues(text);
  // "X, but Y" makes two points.
  const sentences = sentencesOf(body).flatMap((s) => s.split(/,\s*(?:but|mais|aber|pero)\s+/i)).filter((s) => s.trim() !== '');
  const cued = sentences.filter((s) => {
    const c = countCues(s);
    return c.positive + c.negative > 0;
  });
  const complaints = sentences.filter((s) => countCues(s).negative > 0);
  const points = (cued.length > 0 ? cued : sentences.slice(0, 1)).slice(0, MAX_POINTS).map((s) => phraseOf(s, 60));
  const first = sentences[0] ? phraseOf(sentences[0], 100) : 'no text';
  return {
    sentiment,
    score: scoreOf(sentiment, Math.max(cues.positive, cues.negative), rating),
    key_points: points,
    issues: complaints.slice(0, MAX_POINTS).map((s) => phraseOf(s, 60)),
    summary: `${OPENING[sentiment]}: ${first}.`,
  };
}
