// A document as Batchline stores it: text and/or attachments, metadata, and a stable external id.
// zod as extended by @hono/zod-openapi: the HTTP layer names this schema in the OpenAPI document, and
// zod 4 gives `.openapi()` only to schemas made after the extension is loaded.
import { z } from '@hono/zod-openapi';
import type { FileRef } from '../../plugins/contract.ts';

export const ATTACHMENT_MEDIA_TYPES = ['application/pdf', 'image/png', 'image/jpeg', 'image/webp', 'image/gif', 'text/plain'] as const;

/** Inline attachments carry base64 data; bytes from a team's systems are referenced by path (sources issue). */
export const attachmentSchema = z.object({
  media_type: z.enum(ATTACHMENT_MEDIA_TYPES),
  data: z.base64('must be base64').max(45_000_000, 'is over the 32 MB request limit once encoded'),
  name: z.string().max(500).optional(),
});

export const documentSchema = z
  .object({
    id: z.string().min(1).max(512),
    text: z.string().max(2_000_000).optional(),
    title: z.string().max(10_000).optional(),
    metadata: z.record(z.string(), z.unknown()).optional(),
    attachments: z.array(attachmentSchema).max(100).optional(),
  })
  .refine((d) => (d.text !== undefined && d.text.length > 0) || (d.attachments?.length ?? 0) > 0, {
    message: 'needs text or at least one attachment',
    path: ['text'],
  });

export type DocumentInput = z.infer<typeof documentSchema>;
export type Attachment = z.infer<typeof attachmentSchema>;

/** A document as an item stores it: inline content, plus files by reference (read when the batch is sent). */
export type StoredDocument = DocumentInput & { files?: FileRef[] };
