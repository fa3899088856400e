// The sampled documents of a job as the requests a batch would carry, their files read now: what a dry run
// and a job's first estimate measure with count_tokens.
import type { ResolvedTask } from '../../tasks/types.ts';
import type { StoredDocument } from '../documents/document.ts';
import { readFileRef } from '../documents/file-ref.ts';
import { buildParams } from '../documents/request.ts';
import type { Sampled } from './estimate.ts';

/** The sampled documents as the requests a batch would carry (a document whose file is gone is left out). */
export async function sampledRequests(task: ResolvedTask, sample: ReadonlyArray<{ doc: StoredDocument; bytes: number }>): Promise<Sampled[]> {
  const requests: Sampled[] = [];
  for (const { doc, bytes } of sample) {
    try {
      const { files, ...inline } = doc;
      const attachments = await Promise.all((files ?? []).map(readFileRef));
      const full = attachments.length > 0 ? { ...inline, attachments: [...(inline.attachments ?? []), ...attachments] } : inline;
      requests.push({ bytes, params: buildParams(task, full) });
    } catch {
      // A file gone since it was listed: that document cannot be measured; the others still are.
    }
  }
  return requests;
}
