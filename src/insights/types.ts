// The shape of a job's insights as the API returns them (GET /v1/jobs/{id}/insights) and the CLI and the
// dashboard draw them.
import type { InsightKind } from './fields.ts';

export interface ValueCount {
  /** The answer's value (JSON null: the field was not answered). */
  value: unknown;
  count: number;
  /** Of the answers counted in this group. */
  share: number;
}

export interface NumberStats {
  count: number;
  min: number | null;
  max: number | null;
  mean: number | null;
  median: number | null;
}

export interface HistogramBin {
  /** Inclusive lower edge. */
  from: number;
  /** Upper edge: inclusive for integer bins (from = to) and for the last bin, exclusive otherwise. */
  to: number;
  count: number;
}

export interface PhraseCount {
  phrase: string;
  /** Mentions, a document mentioning it twice counting twice. */
  count: number;
  documents: number;
  /** Share of the answers counted that mention it. */
  share: number;
}

export interface CurrencyTotal {
  currency: string;
  total: number;
  count: number;
}

/** One field's aggregate over one group of answers (all of them, or those of one `by` value). */
export interface FieldAggregate {
  /** Answers in the group that give the field a value (not null, not missing). */
  answered: number;
  /** Answers in the group without a value for it. */
  missing: number;
  /** Corrections of this field in the group, and their share of the answers that hold it. */
  corrected: { count: number; share: number };
  /** values, code: counts per value (code and date: the most frequent, `distinct` says how many there are). */
  values?: ValueCount[];
  distinct?: number;
  /** number: of the value; text: of the length in characters; list and phrases: of the members per answer. */
  stats?: NumberStats;
  histogram?: HistogramBin[];
  totals?: CurrencyTotal[];
  /** date: answers per month (YYYY-MM). */
  months?: Array<{ month: string; count: number }>;
  phrases?: PhraseCount[];
  /** text, list, phrases: answered with an empty value ("" or []). */
  empty?: number;
}

export interface FieldInsight extends FieldAggregate {
  path: string;
  kind: InsightKind;
  /** The aggregate per `by` value, when `by` was given. */
  groups?: Array<{ by: string } & FieldAggregate>;
}

export interface OverPoint {
  /** The day (YYYY-MM-DD), or the Monday that starts the week. */
  period: string;
  count: number;
  /** Per field of fixed values: counts per value in the period. */
  values: Record<string, Record<string, number>>;
}

export interface Insights {
  job_id: string;
  job_status: string;
  /** False while the job can still add answers: the insights cover what is stored so far. */
  complete: boolean;
  documents: number;
  /** Succeeded answers counted (after the filters). */
  answered: number;
  filters: string[];
  q: string | null;
  by: { field: string; values: string[]; other: boolean } | null;
  over: { field: string; unit: 'day' | 'week'; points: OverPoint[]; undated: number } | null;
  fields: FieldInsight[];
  computed_at: string;
  note: string | null;
}
