// Built-in task: what a product review says — sentiment, a 1–5 score, key points and issues.
import { z } from 'zod';
import type { TaskDefinition } from './types.ts';

export const reviewInsightsOutput = z.object({
  sentiment: z.enum(['positive', 'negative', 'neutral', 'mixed']).describe('Overall sentiment of the review'),
  score: z.number().int().min(1).max(5).describe('Satisfaction on a 1–5 scale, inferred from the text (not copied from any star rating)'),
  key_points: z.array(z.string()).describe('The main points the reviewer makes, each a short phrase'),
  issues: z.array(z.string()).describe('Concrete problems or complaints raised; empty if none'),
  summary: z.string().describe('One sentence summary of the review'),
});

export const reviewInsights: TaskDefinition = {
  name: 'review-insights',
  description: 'Product reviews → sentiment, score 1–5, key points, issues, summary',
  system:
    'You analyse customer product reviews for a product team. Be faithful to the text: do not invent ' +
    'issues the reviewer did not raise. Write key points and issues as short, specific phrases in English, ' +
    'whatever the language of the review. Record your analysis with the record_output tool.',
  prompt:
    'Analyse this review.\n\n<review id="{{id}}">\n<title>{{title}}</title>\n<metadata>{{metadata}}</metadata>\n<text>\n{{text}}\n</text>\n</review>',
  output: reviewInsightsOutput,
  model: 'claude-haiku-5-5',
  max_tokens: 1024,
};
