// Counts a PDF's pages without a PDF library, to refuse what the API would (600 pages per PDF). The page
// tree's root carries the total (/Count, ISO 32000-1 §7.7.3.2); it is found through the trailer's /Root →
// catalog → /Pages, else as the /Pages node without a /Parent; failing both, the /Type /Page leaves are
// counted. Object streams are inflated, so PDFs that compress their dictionaries count too.
import { directInt, hasName, pdfObjects, trailerDicts } from './pdf-scan.ts';

/** The number of pages, or undefined when the file shows no page tree at all (the caller sends it anyway). */
export function countPdfPages(pdf: Buffer): number | undefined {
  const text = pdf.toString('latin1');
  // Incremental updates append new versions of objects: the last definition of a number wins.
  const objects = new Map<number, { offset: number; dict: string }>();
  const roots: Array<{ offset: number; dict: string }> = [];
  for (const object of pdfObjects(pdf, text)) {
    objects.set(object.num, object);
    if (hasName(object.dict, 'Type', 'XRef')) roots.push(object);
  }
  for (const trailer of trailerDicts(text)) roots.push(trailer);
  roots.sort((a, b) => a.offset - b.offset);

  const fromCatalog = countFromCatalog(objects, roots);
  if (fromCatalog !== undefined) return fromCatalog;
  let treeRoot: number | undefined;
  let leaves = 0;
  for (const { dict } of objects.values()) {
    if (hasName(dict, 'Type', 'Pages') && !/\/Parent[\s\d]/.test(dict)) treeRoot = directInt(dict, 'Count') ?? treeRoot;
    else if (hasName(dict, 'Type', 'Page')) leaves++;
  }
  return treeRoot ?? (leaves > 0 ? leaves : undefined);
}

function countFromCatalog(objects: Map<number, { dict: string }>, trailers: ReadonlyArray<{ dict: string }>): number | undefined {
  for (let i = trailers.length - 1; i >= 0; i--) {
    const root = reference(trailers[i]?.dict ?? '', 'Root');
    const catalog = root === undefined ? undefined : objects.get(root)?.dict;
    const pages = catalog === undefined ? undefined : reference(catalog, 'Pages');
    const tree = pages === undefined ? undefined : objects.get(pages)?.dict;
    const count = tree === undefined || !hasName(tree, 'Type', 'Pages') ? undefined : directInt(tree, 'Count');
    if (count !== undefined) return count;
  }
  return undefined;
}

/** The object number of an indirect reference `/Key N G R`. */
function reference(dict: string, key: string): number | undefined {
  const match = new RegExp(`/${key}\\s+(\\d+)\\s+\\d+\\s+R(?![A-Za-z0-9])`).exec(dict);
  return match ? Number(match[1]) : undefined;
}
