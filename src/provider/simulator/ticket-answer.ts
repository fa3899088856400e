// The simulator's error-free answer to the built-in ticket-triage task: the category whose keywords the
// ticket mentions most, a priority from urgency and blocking words, the sentiment of its text, tags from
// what matched, and needs_human when an agent must act.
import { phraseOf, readablePart, sentencesOf, sentimentOf, type Sentiment } from './cues.ts';
import type { PromptDocument } from './prompt-document.ts';

export type Category = 'billing' | 'technical' | 'account' | 'shipping' | 'feature_request' | 'complaint' | 'other';
export type Priority = 'low' | 'normal' | 'high' | 'urgent';

export interface TicketAnswer {
  category: Category;
  priority: Priority;
  sentiment: Sentiment;
  summary: string;
  suggested_tags: string[];
  needs_human: boolean;
}

// In this order ties are broken: money and parcels before the rest.
const CATEGORY_KEYWORDS: ReadonlyArray<[Exclude<Category, 'other'>, readonly string[]]> = [
  ['billing', ['refund', 'charge', 'charged', 'invoice', 'billing', 'bill', 'payment', 'paid', 'subscription', 'price', 'overcharged', 'receipt', 'credit card']],
  ['shipping', ['shipping', 'shipped', 'delivery', 'delivered', 'package', 'parcel', 'tracking', 'courier', 'arrived', 'box']],
  ['account', ['password', 'login', 'log in', 'sign in', 'account', 'username', 'two-factor', '2fa', 'locked out']],
  ['technical', ['error', 'crash', 'crashes', 'crashing', 'bug', 'broken', 'not working', "doesn't work", 'fails', 'failing', 'sync', 'slow', 'outage', 'update']],
  ['feature_request', ['feature', 'would be nice', 'please add', 'could you add', 'wish', 'suggestion', 'dark mode', 'more sizes']],
  ['complaint', ['terrible', 'unacceptable', 'worst', 'disappointed', 'angry', 'complaint', 'rude', 'ridiculous']],
];

const URGENT = ['urgent', 'asap', 'immediately', 'outage', 'down for everyone', 'lost all', 'data loss', 'security', 'hacked', 'lawyer', 'legal'];
const HIGH = ['cannot', "can't", 'unable', 'blocked', 'broken', 'not working', 'charged twice', 'refund', 'locked out'];
const LOW = ['question', 'wondering', 'how do i', 'just curious'];

function mentions(lower: string, keyword: string): number {
  const pattern = new RegExp(`(^|[^\\p{L}])${keyword.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?=$|[^\\p{L}])`, 'gu');
  return lower.match(pattern)?.length ?? 0;
}

function categoryOf(lower: string): { category: Category; matched: string[] } {
  let best: { category: Category; hits: number; matched: string[] } = { category: 'other', hits: 0, matched: [] };
  for (const [category, keywords] of CATEGORY_KEYWORDS) {
    const matched = keywords.filter((k) => mentions(lower, k) > 0);
    const hits = matched.reduce((sum, k) => sum + mentions(lower, k), 0);
    if (hits > best.hits) best = { category, hits, matched };
  }
  return { category: best.category, matched: best.matched };
}

function priorityOf(lower: string, category: Category): Priority {
  if (URGENT.some((k) => mentions(lower, k) > 0)) return 'urgent';
  if (HIGH.some((k) => mentions(lower, k) > 0)) return 'high';
  if (category === 'feature_request' || LOW.some((k) => mentions(lower, k) > 0)) return 'low';
  return 'normal';
}

function tagOf(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
}

export function ticketAnswer(doc: PromptDocument): TicketAnswer {
  const body = readablePart(doc.text);
  const text = [doc.title, body].filter(Boolean).join('. ');
  const lower = text.toLowerCase();
  const { category, matched } = categoryOf(lower);
  const priority = priorityOf(lower, category);
  const sentiment = sentimentOf(text);
  const tags = [category, ...(priority === 'normal' ? [] : [`priority_${priority}`]), ...matched.slice(0, 3).map(tagOf)].filter((t) => t !== '');
  const first = sentencesOf(body)[0];
  return {
    category,
    priority,
    sentiment,
    summary: `${category.replace('_', ' ')} ticket, ${priority} priority: ${first ? phraseOf(first, 120) : 'no text'}.`,
    suggested_tags: [...new Set(tags)],
    needs_human: priority === 'urgent' || priority === 'high' || category === 'billing' || category === 'complaint',
  };
}
