// Reads an experiment's documents once (inline, or the source as a job's first read would see it, nothing
// stored, no cursor saved), draws the sample on the way, and checks that every labelled id is in the
// source. Memory: the sample, the ids seen (to count distinct documents) and the labels.
import type { SourceDocument } from '../plugins/contract.ts';
import { invalidField } from '../errors.ts';
import { sourceDocuments } from '../engine/intake/dry-run.ts';
import type { EngineContext } from '../engine/context.ts';
import type { StoredDocument } from '../engine/documents/document.ts';
import type { StoredSource } from '../engine/intake/source-ref.ts';
import { createSampler, stratumOf, TooManyStrataError } from './sample.ts';
import type { Population, SampleInput, StoredSample } from './types.ts';

/** Largest sample; arms × sample items are written when the experiment is created. */
export const MAX_SAMPLE = 10_000;
/** Distinct values a stratification field may have (each keeps up to a sample's worth of documents while reading). */
export const MAX_STRATA = 50;
/** The id length a job keeps (item-rows.ts): the sample uses the same ids. */
const MAX_EXTERNAL_ID = 512;

type Deps = Pick<EngineContext, 'db' | 'config' | 'sources' | 'secretKey' | 'log'>;

export interface ReadSample {
  documents: StoredDocument[];
  sample: StoredSample;
  population: Population;
}

function storedOf(doc: SourceDocument, id: string): StoredDocument {
  return {
    id,
    ...(doc.text !== undefined ? { text: doc.text } : {}),
    ...(doc.title !== undefined ? { title: doc.title } : {}),
    ...(doc.metadata !== undefined ? { metadata: doc.metadata } : {}),
    ...('attachments' in doc && Array.isArray((doc as StoredDocument).attachments) ? { attachments: (doc as StoredDocument).attachments } : {}),
    ...(doc.files && doc.files.length > 0 ? { files: doc.files } : {}),
  };
}

export async function readSample(
  ctx: Deps,
  from: { source: StoredSource | null; documents: readonly SourceDocument[] },
  spec: SampleInput & { seed: string },
  labels: { ids: ReadonlySet<string>; field: string },
  signal: AbortSignal | undefined,
): Promise<ReadSample> {
  const sampler = createSampler<StoredDocument>(spec.seed, spec.size, { stratified: spec.stratify_by !== undefined, maxStrata: MAX_STRATA });
  const unseenLabels = new Set(labels.ids);
  let rejected = 0;
  const documents = from.source ? sourceDocuments(ctx, from.source, signal) : inline(from.documents);
  for await (const doc of documents) {
    const id = doc.id.length > MAX_EXTERNAL_ID ? doc.id.slice(0, MAX_EXTERNAL_ID) : doc.id;
    unseenLabels.delete(id);
    const empty = !doc.text && !(doc.files?.length ?? 0) && !((doc as StoredDocument).attachments?.length ?? 0);
    if (doc.failure || empty) {
      rejected += 1;
      continue;
    }
    try {
      sampler.offer(id, spec.stratify_by === undefined ? null : stratumOf(doc.metadata, spec.stratify_by), storedOf(doc, id));
    } catch (error) {
      if (error instanceof TooManyStrataError) throw invalidField('sample.stratify_by', `"${spec.stratify_by}" ${error.message}; stratify by a field with fewer values (e.g. a rating)`);
      throw error;
    }
  }
  if (unseenLabels.size > 0) {
    const some = [...unseenLabels].slice(0, 5).map((id) => `"${id}"`).join(', ');
    throw invalidField(labels.field, `${unseenLabels.size} labelled ${unseenLabels.size === 1 ? 'id is' : 'ids are'} not in the source: ${some}${unseenLabels.size > 5 ? ', …' : ''}`);
  }
  const population = sampler.population();
  if (spec.size > population) {
    throw invalidField('sample.size', `is ${spec.size}, but the source holds ${population} document${population === 1 ? '' : 's'} that can be sent${rejected > 0 ? ` (and ${rejected} that cannot)` : ''}`);
  }
  const outcome = sampler.finish(spec.size);
  return {
    documents: outcome.picked.map((p) => p.item),
    sample: { size: spec.size, seed: spec.seed, stratify_by: spec.stratify_by ?? null, strata: outcome.strata, ids: outcome.picked.map((p) => p.id) },
    population: { documents: population, rejected },
  };
}

async function* inline(documents: readonly SourceDocument[]): AsyncGenerator<SourceDocument> {
  yield* documents;
}
