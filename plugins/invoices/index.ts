// The `invoices` source: a folder of invoices as they pile up in practice (formats.md §C) — PDFs and
// scans by reference (the engine reads and checks their bytes only when their batch is sent), e-invoice
// XML and text inline, noise skipped, and what the API would refuse failed up front with the reason.
// Optionally watched: the engine reads the folder again every watch_interval_ms and keeps what is new.
import type { Stats } from 'node:fs';
import fs from 'node:fs/promises';
import { SourceConfigError, SourceFatalError, type SourceContext, type SourceDocument, type SourcePlugin } from '../../src/plugins/contract.ts';
import { PathOutsideRootsError, realRootsOf, resolveInsideRoots } from '../../src/plugins/paths.ts';
import { configSchema, type InvoicesConfig } from './config.ts';
import { failedDocument, pathId } from './document.ts';
import { inspectFile } from './inspect.ts';
import { walkFolder } from './walk.ts';

export type { InvoicesConfig } from './config.ts';

async function check(config: InvoicesConfig, ctx: Pick<SourceContext, 'fileRoots' | 'log'>): Promise<void> {
  let folder: string;
  try {
    folder = await resolveInsideRoots(config.path, ctx.fileRoots);
  } catch (error) {
    if (error instanceof PathOutsideRootsError) throw new SourceConfigError('path', error.message);
    throw error;
  }
  let stat: Stats;
  try {
    stat = await fs.stat(folder);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new SourceConfigError('path', code === 'ENOENT' ? `folder "${config.path}" does not exist` : `folder "${config.path}" cannot be read (${code ?? 'error'})`);
  }
  if (!stat.isDirectory()) throw new SourceConfigError('path', `"${config.path}" is a file, not a folder; give the folder that holds the invoices`);
  try {
    await (await fs.opendir(folder)).close();
  } catch (error) {
    throw new SourceConfigError('path', `folder "${config.path}" cannot be listed (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

async function* read(config: InvoicesConfig, ctx: SourceContext): AsyncGenerator<SourceDocument> {
  const folder = await openFolder(config, ctx.fileRoots);
  const realRoots = await realRootsOf(ctx.fileRoots);
  const counts = { documents: 0, failed: 0, skipped: 0 };
  for await (const entry of walkFolder(folder, { recursive: config.recursive, realRoots, signal: ctx.signal, log: ctx.log })) {
    const document = 'problem' in entry
      ? failedDocument({ rel: entry.rel, name: entry.name }, pathId(entry.rel), entry.problem.type, entry.problem.message)
      : await inspectFile(entry, config, ctx.log);
    if (!document) {
      counts.skipped++;
      continue;
    }
    if (document.failure) counts.failed++;
    else counts.documents++;
    yield document;
  }
  ctx.log.debug({ folder: config.path, ...counts }, 'invoices: folder read');
}

/** The folder's real path; a folder gone since check() is retried, one outside the roots never will be. */
async function openFolder(config: InvoicesConfig, roots: readonly string[]): Promise<string> {
  let folder: string;
  try {
    folder = await resolveInsideRoots(config.path, roots);
  } catch (error) {
    if (error instanceof PathOutsideRootsError) throw new SourceFatalError(`invoices: ${error.message}`);
    throw new Error(`invoices: folder "${config.path}" cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`, { cause: error });
  }
  const stat = await fs.stat(folder);
  if (!stat.isDirectory()) throw new SourceFatalError(`invoices: "${config.path}" is not a folder`);
  return folder;
}

export const invoicesSource: SourcePlugin<InvoicesConfig> = {
  name: 'invoices',
  description: 'Reads a folder of invoices (PDF, PNG/JPEG/GIF/WebP scans, UBL and CII e-invoice XML, text) under BATCHLINE_FILE_ROOTS; can watch it for new files',
  configSchema,
  check,
  read,
  follow: (config) => (config.watch ? { rescanMs: config.watch_interval_ms } : undefined),
};
