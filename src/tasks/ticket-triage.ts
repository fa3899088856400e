// Built-in task: triage a support ticket — category, priority, sentiment, summary, tags, escalation.
import { z } from 'zod';
import type { TaskDefinition } from './types.ts';

export const ticketTriageOutput = z.object({
  category: z.enum(['billing', 'technical', 'account', 'shipping', 'feature_request', 'complaint', 'other']),
  priority: z.enum(['low', 'normal', 'high', 'urgent']),
  sentiment: z.enum(['positive', 'negative', 'neutral', 'mixed']),
  summary: z.string().describe('One or two sentences an agent can read instead of the thread'),
  suggested_tags: z.array(z.string().regex(/^[a-z0-9_]+$/, 'must be a lowercase tag')).describe('Zendesk-style tags: lowercase, underscores'),
  needs_human: z.boolean().describe('True when an agent must act (refund, outage, legal, angry customer)'),
});

export const ticketTriage: TaskDefinition = {
  name: 'ticket-triage',
  description: 'Support tickets → category, priority, sentiment, summary, suggested tags, needs_human',
  system:
    'You triage customer support tickets. Judge priority by customer impact and urgency, not by tone alone. ' +
    'Set needs_human when the ticket asks for something only an agent can do. Record the triage with the record_output tool.',
  prompt: 'Triage this ticket.\n\n<ticket id="{{id}}">\n<subject>{{title}}</subject>\n<metadata>{{metadata}}</metadata>\n<conversation>\n{{text}}\n</conversation>\n</ticket>',
  output: ticketTriageOutput,
  model: 'claude-haiku-5-5',
  max_tokens: 1024,
};
