// The `reviews` source's config: which export file to read, how it is laid out (a preset for the common
// exports, or an explicit column mapping) and how to decode it. No transforms: the schema is also served
// as JSON Schema (z.toJSONSchema) for forms, so it must describe exactly what users send.
import { z } from 'zod';

export const PRESETS = ['google-play', 'app-store', 'trustpilot', 'amazon', 'yelp'] as const;
export type Preset = (typeof PRESETS)[number];

/** What a column can mean; `columns` maps these to source column names (CSV) or keys (JSONL). */
export const ROLES = ['id', 'text', 'title', 'rating', 'author', 'date', 'language', 'version', 'product'] as const;
export type Role = (typeof ROLES)[number];

const columnName = z.string().min(1, 'must name a column (CSV/TSV) or a key (JSONL)');

const columnsSchema = z
  .object({
    id: columnName.optional().describe('Stable review id; without it the id is a hash of the review'),
    text: columnName.optional().describe('The review body (required unless a preset gives it)'),
    title: columnName.optional(),
    rating: columnName.optional().describe('Star rating, read as a number'),
    author: columnName.optional(),
    date: columnName.optional().describe('ISO date, epoch seconds/milliseconds or "YYYY-MM-DD HH:MM:SS" (UTC)'),
    language: columnName.optional(),
    version: columnName.optional().describe('App version'),
    product: columnName.optional().describe('Product, app or business the review is about'),
  })
  .describe('Source column (or JSON key, dotted paths allowed) for each field; overrides the preset');

const delimiter = z
  .string()
  .length(1, 'must be a single character')
  .refine((c) => c !== '"' && c !== '\n' && c !== '\r', 'cannot be a quote or a line break');

export const configSchema = z
  .object({
    path: z
      .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') })
      .min(1, 'is required').describe('The export file, inside BATCHLINE_FILE_ROOTS'),
    format: z
      .enum(['auto', 'csv', 'tsv', 'jsonl'])
      .default('auto')
      .describe('auto: by extension (.csv, .tsv/.tab, .jsonl/.ndjson/.json), else sniffed from the content'),
    preset: z.enum(PRESETS).optional().describe('A known export layout: its columns are mapped for you'),
    columns: columnsSchema.optional(),
    metadata_columns: z.array(columnName).optional().describe('Extra columns (or keys) copied into each document\'s metadata'),
    delimiter: delimiter.optional().describe('CSV field delimiter; default "," (or ";" when the header uses it), tab for TSV'),
    encoding: z.enum(['auto', 'utf8', 'utf16le']).default('auto').describe('auto: from the byte-order mark, else UTF-8'),
  })
  .refine((c) => c.preset !== undefined || c.columns?.text !== undefined, { path: ['columns', 'text'], message: 'set a preset or columns.text' });

export type ReviewsConfig = z.infer<typeof configSchema>;
export type ColumnsConfig = NonNullable<ReviewsConfig['columns']>;
