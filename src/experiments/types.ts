// What an experiment request holds and what an experiment stores: the engine's side of POST
// /v1/experiments (the HTTP schema in src/http/routes/experiments.schemas.ts validates the same shape).
import type { DocumentInput } from '../engine/documents/document.ts';
import type { PluginRef } from '../engine/intake/source-ref.ts';
import type { CustomTaskInput } from '../tasks/registry.ts';

/** One task variant: what it changes of the experiment's task. */
export interface ArmInput {
  name?: string | undefined;
  model?: string | undefined;
  prompt?: string | undefined;
  system?: string | undefined;
  max_tokens?: number | undefined;
}

export interface SampleInput {
  size: number;
  /** The same seed picks the same documents; none: a random one, reported in the answer. */
  seed?: string | number | undefined;
  /** A metadata field (e.g. `rating`): each of its values gets its proportional share of the sample. */
  stratify_by?: string | undefined;
}

/** Gold labels: inline, from a file (id → expected values), or from columns of the source. */
export interface LabelsInput {
  values?: Record<string, Record<string, unknown>> | undefined;
  path?: string | undefined;
  /** The column (JSONL key) of a labels file that holds the document id; default `id`. */
  id_column?: string | undefined;
  /** Output field → the metadata key of the source that holds its expected value. */
  metadata?: Record<string, string> | undefined;
  /** The corrections of earlier jobs of the same task (all of them when `jobs` is left out). */
  corrections?: { jobs?: string[] | undefined } | undefined;
}

export interface CompareInput {
  /** Numeric fields: the largest difference that still counts as agreement (default 0 for integers, 0.01 otherwise). */
  tolerance?: Record<string, number> | undefined;
  /** Plain string fields to compare exactly (identifiers) instead of as free text. */
  exact?: string[] | undefined;
}

export interface CreateExperimentInput {
  name?: string | undefined;
  task: string | CustomTaskInput;
  source?: PluginRef | undefined;
  documents?: DocumentInput[] | undefined;
  sample: SampleInput;
  arms: ArmInput[];
  labels?: LabelsInput | undefined;
  compare?: CompareInput | undefined;
  /** The budget of all arms together, USD at batch price. */
  max_usd?: number | undefined;
}

/** An arm's job request, less the documents: what promote sends again for the whole source. */
export interface ArmJobRequest {
  task: string | CustomTaskInput;
  model?: string;
  max_tokens?: number;
}

/** How the experiment's source is kept: enough to read it again (promote), secrets sealed. */
export interface StoredSourceRef {
  plugin: string;
  connection: string | null;
  /** The plugin config (or, for a connection, the overrides given with it), secret fields out. */
  config: Record<string, unknown>;
  secrets: string | null;
}

export interface StoredSample {
  size: number;
  seed: string;
  stratify_by: string | null;
  strata: Array<{ value: string | null; population: number; sampled: number }> | null;
  /** External ids of the sampled documents, in sampling order. */
  ids: string[];
}

export interface StoredLabels {
  kind: 'values' | 'file' | 'metadata' | 'corrections';
  fields: string[];
  /** Expected values of the sampled documents that have labels. */
  values: Record<string, Record<string, unknown>>;
}

export interface StoredCompare {
  tolerance: Record<string, number>;
  exact: string[];
  /** The answer's fields in schema order (jsonb keeps an object's keys in its own order, not the schema's). */
  order?: string[];
}

export interface Population {
  /** Documents of the source that can be sent (distinct ids). */
  documents: number;
  /** Documents the source could not turn into requests (broken rows, empty texts). */
  rejected: number;
}

