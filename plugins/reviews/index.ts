// The `reviews` source: app-store and review-site exports (Google Play, App Store, Trustpilot, Amazon,
// Yelp, or any CSV/TSV/JSONL with a column mapping) read as one document per review, streamed so a
// million-row file costs no more memory than a small one. A broken row becomes a failed item naming its
// row; the rest of the file is read. Ids are the export's review ids, else content hashes, so reading
// a file again — after a crash, say — yields the same documents and the engine keeps each once.
import { SourceConfigError, SourceFatalError, type SourceContext, type SourceDocument, type SourcePlugin } from '../../src/plugins/contract.ts';
import { configSchema, type ReviewsConfig } from './config.ts';
import { confineFile, planFile, type FilePlan } from './file.ts';
import { firstMappingProblem, readDocuments } from './read.ts';

export type { ReviewsConfig } from './config.ts';

async function check(config: ReviewsConfig, ctx: Pick<SourceContext, 'fileRoots' | 'log'>): Promise<void> {
  const plan = await planFile(await confineFile(config.path, ctx.fileRoots), config);
  const problem = await firstMappingProblem(plan, config, new AbortController().signal);
  if (problem) throw new SourceConfigError(problem.field, problem.message);
}

async function* read(config: ReviewsConfig, ctx: SourceContext): AsyncGenerator<SourceDocument> {
  let plan: FilePlan;
  try {
    plan = await planFile(await confineFile(config.path, ctx.fileRoots), config);
  } catch (error) {
    // Checked when the job was created; if the file has gone or moved since, no retry brings it back.
    if (error instanceof SourceConfigError) throw new SourceFatalError(`${error.field}: ${error.message}`, { cause: error });
    throw error;
  }
  ctx.log.debug({ format: plan.format, encoding: plan.encoding, preset: config.preset }, 'reading review export');
  const skipped = new Map<string, number>();
  yield* readDocuments(plan, config, { signal: ctx.signal, onSkip: (type) => skipped.set(type, (skipped.get(type) ?? 0) + 1) });
  if (skipped.size > 0) ctx.log.info({ skipped: Object.fromEntries(skipped) }, 'JSON:API resources that are not customer reviews were skipped');
}

export const reviewsSource: SourcePlugin<ReviewsConfig> = {
  name: 'reviews',
  description: 'Reviews from an export file (Google Play, App Store, Trustpilot, Amazon, Yelp presets, or any CSV/TSV/JSONL with a column mapping), one document per review',
  configSchema,
  check,
  read,
};
