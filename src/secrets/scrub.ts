// Error texts are kept in rows, logs and spans; URL credentials and query strings they quote are cut.

/** `https://user:pass@host/p?token=x` → `https://***@host/p?…`: what a span may carry of a URL. */
export function scrubSecrets(text: string): string {
  return text.replace(/\b([a-z][\w+.-]*:\/\/)[^/\s@]+@/gi, '$1***@').replace(/(\b[a-z][\w+.-]*:\/\/[^\s?#]*)\?[^\s#]*/gi, '$1?…');
}
