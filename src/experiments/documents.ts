// GET /v1/experiments/{id}/documents: the sampled documents in sampling order, each with its text beside
// every arm's answer (and the gold label), filtered to the disagreements, to one field's disagreements, or
// to what one arm got wrong. Pages by position in the sample.
import type { Kysely } from 'kysely';
import type { DB, ErrorInfo, ItemStatus } from '../db/types.ts';
import type { ResolvedTask } from '../tasks/types.ts';
import { armAnswers, sampleDocuments, type Answer } from './arm-answers.ts';
import { disagreeingFields, wrongArms, type ArmData } from './compare.ts';
import { fieldsOf } from './fields.ts';
import type { StoredCompare, StoredLabels, StoredSample } from './types.ts';
import { armRows, type loadExperiment } from './view.ts';

/** Text shown per document; longer texts are cut (`text_truncated`). */
export const TEXT_SHOWN = 4000;

export interface ExperimentDocument {
  external_id: string;
  title: string | null;
  text: string;
  text_truncated: boolean;
  metadata: Record<string, unknown> | null;
  answers: Record<string, { status: ItemStatus; output: unknown; error: ErrorInfo | null }>;
  expected: Record<string, unknown> | null;
  /** Scored fields on which arms that answered disagree. */
  disagreeing_fields: string[];
  /** Arms whose answer misses a gold label of this document (or that gave none). */
  wrong_arms: string[];
}

export interface DocumentsQuery {
  only: 'all' | 'disagreements';
  field?: string | undefined;
  wrong?: string | undefined;
  after: number;
  limit: number;
}

export interface DocumentsPage {
  data: ExperimentDocument[];
  /** Position to continue after, or null at the end. */
  next: number | null;
}

type ExperimentRow = Awaited<ReturnType<typeof loadExperiment>> & object;

export async function documentsPage(db: Kysely<DB>, row: ExperimentRow, query: DocumentsQuery): Promise<DocumentsPage> {
  const task = row.task as ResolvedTask;
  const sample = row.sample as StoredSample;
  const labels = (row.labels as StoredLabels | null)?.values ?? null;
  const fields = fieldsOf(task.output_schema, row.compare as StoredCompare);
  const arms = await armRows(db, row.id);
  const answers = await Promise.all(arms.map((a) => armAnswers(db, a.job_id)));
  const data: ArmData[] = arms.map((a, i) => ({ name: a.name, answers: answers[i] ?? new Map<string, Answer>() }));

  const matching: Array<{ position: number; id: string; off: string[]; wrong: string[] }> = [];
  sample.ids.forEach((id, position) => {
    if (position < query.after) return;
    const off = disagreeingFields(fields, data, id);
    const wrong = wrongArms(fields, data, labels?.[id], id);
    if (query.only === 'disagreements' && off.length === 0) return;
    if (query.field !== undefined && !off.includes(query.field)) return;
    if (query.wrong !== undefined && !wrong.includes(query.wrong)) return;
    matching.push({ position, id, off, wrong });
  });
  const page = matching.slice(0, query.limit);
  const docs = await sampleDocuments(db, arms.find((a) => a.job_id !== null)?.job_id ?? null, page.map((p) => p.id));
  return {
    data: page.map(({ id, off, wrong }) => {
      const doc = docs.get(id);
      const text = doc?.text ?? '';
      return {
        external_id: id,
        title: doc?.title ?? null,
        text: text.slice(0, TEXT_SHOWN),
        text_truncated: text.length > TEXT_SHOWN,
        metadata: doc?.metadata ?? null,
        answers: Object.fromEntries(data.map((d) => [d.name, d.answers.get(id) ?? { status: 'canceled' as const, output: null, error: null }])),
        expected: labels?.[id] ?? null,
        disagreeing_fields: off,
        wrong_arms: wrong,
      };
    }),
    next: matching.length > query.limit ? (page.at(-1)?.position ?? 0) + 1 : null,
  };
}
