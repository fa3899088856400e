// Renders a task's prompt template for one document: {{text}}, {{id}}, {{title}}, {{metadata}}, {{metadata.key}}.
import type { DocumentInput } from '../engine/documents/document.ts';

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;
const KNOWN = /^(text|id|title|metadata|metadata\.[A-Za-z0-9_.-]+)$/;

/** Describes the first unusable placeholder, or undefined when the template is fine. */
export function templatePlaceholderError(template: string): string | undefined {
  for (const match of template.matchAll(PLACEHOLDER)) {
    const name = match[1] ?? '';
    if (!KNOWN.test(name)) return `unknown placeholder {{${name}}}; use {{text}}, {{id}}, {{title}}, {{metadata}} or {{metadata.<key>}}`;
  }
  return undefined;
}

export function renderTemplate(template: string, doc: DocumentInput): string {
  const rendered = template.replace(PLACEHOLDER, (_whole, rawName: string) => {
    const name = rawName.trim();
    if (name === 'text') return doc.text ?? '';
    if (name === 'id') return doc.id;
    if (name === 'title') return doc.title ?? '';
    if (name === 'metadata') return doc.metadata && Object.keys(doc.metadata).length > 0 ? JSON.stringify(doc.metadata) : '';
    if (name.startsWith('metadata.')) {
      const value = doc.metadata?.[name.slice('metadata.'.length)];
      return value === undefined || value === null ? '' : typeof value === 'string' ? value : JSON.stringify(value);
    }
    return '';
  });
  // A custom prompt without {{text}} still has to show Claude the document.
  if (doc.text && !/\{\{\s*text\s*\}\}/.test(template)) return `${rendered}\n\n<document>\n${doc.text}\n</document>`;
  return rendered;
}
