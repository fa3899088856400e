// The `invoices` source's config: which folder to read, whether to descend and keep watching it, and the
// limits a file must meet to be sent (the Batches API's, anthropic-batches.md §10). No transforms: the
// schema is also served as JSON Schema (z.toJSONSchema) for forms, so it must describe what users send.
import { z } from 'zod';

const MiB = 1024 * 1024;

/** The API's ceiling for one request, whole payload (the engine's MAX_REQUEST_BYTES). */
export const REQUEST_LIMIT_BYTES = 32 * MiB;

/**
 * A file travels base64-encoded, 4 bytes for every 3, so a 32 MiB request (33,554,432 bytes) could hold
 * at most 24 MiB (25,165,824 bytes) of file and nothing else. The default leaves room for the rest:
 * 23.5 MiB = 24,641,536 bytes → 4·⌈24,641,536 / 3⌉ = 32,855,384 bytes of base64, which leaves
 * 699,048 bytes (~683 KiB) for the system prompt, the task's prompt and tool schema and the JSON around them.
 */
export const DEFAULT_MAX_FILE_BYTES = 23.5 * MiB;
/** Above this even an empty prompt cannot fit: the base64 alone fills the request. */
export const MAX_FILE_BYTES_CEILING = (REQUEST_LIMIT_BYTES / 4) * 3;

/** Pages per PDF the API takes (100 for models with a 200k context: set max_pages to 100 for those). */
export const DEFAULT_MAX_PAGES = 600;
/** The API refuses an image whose base64 exceeds 5 MiB ("image exceeds 5 MB maximum: … > 5242880 bytes"). */
export const DEFAULT_MAX_IMAGE_BYTES = 5 * MiB;
export const DEFAULT_MAX_TEXT_CHARS = 1_000_000;

const positiveInt = (what: string) => z.number().int(`must be a whole number of ${what}`).min(1, `must be at least 1 ${what.replace(/s$/, '')}`);

export const configSchema = z.object({
  path: z
    .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') })
    .min(1, 'is required')
    .describe('The folder of invoices, inside BATCHLINE_FILE_ROOTS (relative paths start at the first root)'),
  recursive: z.boolean().default(false).describe('Also read the folders inside it'),
  watch: z.boolean().default(false).describe('Keep the job open and pick up files that arrive later, until the job is closed'),
  watch_interval_ms: z
    .number()
    .int('must be a whole number of milliseconds')
    .min(200, 'must be at least 200 ms')
    .default(5000)
    .describe('With watch: how often the folder is scanned again, in milliseconds'),
  max_file_bytes: positiveInt('bytes')
    .max(MAX_FILE_BYTES_CEILING, `must be at most ${MAX_FILE_BYTES_CEILING} bytes (24 MiB): its base64 alone fills a 32 MiB request`)
    .default(DEFAULT_MAX_FILE_BYTES)
    .describe('Largest file sent, in bytes; the default (23.5 MiB) leaves room in a 32 MiB request for base64 and the prompt'),
  max_pages: positiveInt('pages').default(DEFAULT_MAX_PAGES).describe('Most pages a PDF may have (the API takes 600; 100 for 200k-context models)'),
  max_image_bytes: positiveInt('bytes')
    .default(DEFAULT_MAX_IMAGE_BYTES)
    .describe('Largest image as sent, base64-encoded, in bytes (the API takes 5 MiB, i.e. a file of about 3.75 MiB)'),
  max_text_chars: positiveInt('characters').default(DEFAULT_MAX_TEXT_CHARS).describe('Most characters an XML or text file may have'),
});

export type InvoicesConfig = z.infer<typeof configSchema>;
