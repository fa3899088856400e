// GET /docs: the API reference (Swagger UI) of /openapi.json. Its files come from the swagger-ui-dist
// package and are served by this server, so the page works with no internet access (no CDN). The page
// is not part of the OpenAPI document and, like /openapi.json, needs no token.
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';

const require = createRequire(import.meta.url);
const DIST = path.dirname(require.resolve('swagger-ui-dist/package.json'));
const DIST_VERSION = (require('swagger-ui-dist/package.json') as { version: string }).version;

/** The only files served from the package (an allow-list: no path from the URL ever reaches the disk). */
const ASSET_TYPES: ReadonlyMap<string, string> = new Map([
  ['swagger-ui.css', 'text/css; charset=utf-8'],
  ['swagger-ui-bundle.js', 'text/javascript; charset=utf-8'],
  ['favicon-32x32.png', 'image/png'],
  ['favicon-16x16.png', 'image/png'],
  // Source maps, fetched only by browser developer tools.
  ['swagger-ui.css.map', 'application/json'],
  ['swagger-ui-bundle.js.map', 'application/json'],
]);

/**
 * A day in caches, then revalidated by ETag (the package version names the content). Short enough that
 * an upgrade shows within a day even though the URLs carry no version.
 */
const ASSET_CACHE_CONTROL = 'public, max-age=86400';

// Everything loads from this origin; Swagger UI styles elements inline, hence 'unsafe-inline' for styles only.
const PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; " +
  "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

// Relative URLs throughout, so the page also works behind a reverse proxy that mounts the API under a prefix.
const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Batchline API reference</title>
<link rel="icon" type="image/png" sizes="32x32" href="docs/favicon-32x32.png">
<link rel="icon" type="image/png" sizes="16x16" href="docs/favicon-16x16.png">
<link rel="stylesheet" href="docs/swagger-ui.css">
</head>
<body>
<noscript><p>This reference needs JavaScript. The OpenAPI document itself is at <a href="openapi.json">openapi.json</a>.</p></noscript>
<div id="swagger-ui"></div>
<script src="docs/swagger-ui-bundle.js"></script>
<script src="docs/init.js"></script>
</body>
</html>
`;

const INIT_SCRIPT = `// Points Swagger UI at this server's OpenAPI document.
window.ui = SwaggerUIBundle({
  url: new URL('../openapi.json', document.currentScript.src).href,
  dom_id: '#swagger-ui',
  deepLinking: true,
  // The default would send the document to validator.swagger.io for a badge: nothing leaves this origin.
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis],
  layout: 'BaseLayout',
  defaultModelsExpandDepth: 0,
  displayRequestDuration: true,
});
`;

interface LoadedAsset {
  body: Buffer;
  gzipped: Buffer | undefined;
  etag: string;
}

export function registerDocs(app: OpenAPIHono): void {
  const loaded = new Map<string, Promise<LoadedAsset>>();
  const load = (name: string): Promise<LoadedAsset> => {
    let asset = loaded.get(name);
    if (!asset) {
      asset = readAsset(name);
      // A failed read is not remembered: the next request tries again.
      asset.catch(() => loaded.delete(name));
      loaded.set(name, asset);
    }
    return asset;
  };

  app.get('/docs', (c) => {
    c.header('content-security-policy', PAGE_CSP);
    c.header('cache-control', 'no-cache');
    return securedHtml(c, PAGE);
  });
  // `/docs/` would resolve the page's relative URLs one level too deep.
  app.get('/docs/', (c) => c.redirect('../docs', 301));
  app.get('/docs/init.js', (c) => {
    c.header('cache-control', 'no-cache');
    c.header('x-content-type-options', 'nosniff');
    return c.body(INIT_SCRIPT, 200, { 'content-type': 'text/javascript; charset=utf-8' });
  });
  app.get('/docs/:file', async (c) => {
    const name = c.req.param('file');
    const type = ASSET_TYPES.get(name);
    if (!type) return c.notFound();
    if (name.endsWith('.map')) return sendMap(c, name, type);
    const asset = await load(name);
    const gzip = asset.gzipped !== undefined && acceptsGzip(c.req.header('accept-encoding'));
    // The compressed bytes are another representation: another strong ETag (RFC 9110 §8.8.3).
    const etag = gzip ? asset.etag.replace(/"$/, '-gz"') : asset.etag;
    const headers: Record<string, string> = {
      'content-type': type,
      'cache-control': ASSET_CACHE_CONTROL,
      etag,
      vary: 'accept-encoding',
      'x-content-type-options': 'nosniff',
    };
    if (matchesEtag(c.req.header('if-none-match'), etag)) return c.body(null, 304, headers);
    if (gzip && asset.gzipped) return c.body(new Uint8Array(asset.gzipped), 200, { ...headers, 'content-encoding': 'gzip' });
    return c.body(new Uint8Array(asset.body), 200, headers);
  });
}

async function readAsset(name: string): Promise<LoadedAsset> {
  const body = await fs.readFile(path.join(DIST, name));
  // Text compresses to about a quarter; the PNGs are already compressed.
  const gzipped = name.endsWith('.png') ? undefined : gzipSync(body);
  return { body, gzipped, etag: `"swagger-ui-${DIST_VERSION}-${name}-${body.length}"` };
}

/** Large and rarely fetched: read from disk each time instead of kept in memory. */
async function sendMap(c: Context, name: string, type: string): Promise<Response> {
  const body = await fs.readFile(path.join(DIST, name));
  return c.body(new Uint8Array(body), 200, { 'content-type': type, 'cache-control': ASSET_CACHE_CONTROL, 'x-content-type-options': 'nosniff' });
}

function securedHtml(c: Context, html: string): Response {
  c.header('x-content-type-options', 'nosniff');
  c.header('referrer-policy', 'no-referrer');
  c.header('x-frame-options', 'DENY');
  return c.html(html);
}

function acceptsGzip(header: string | undefined): boolean {
  return (header ?? '').split(',').some((part) => {
    const [coding, ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return (coding === 'gzip' || coding === '*') && (q === undefined || Number(q.slice(2)) > 0);
  });
}

/** RFC 9110 §13.1.2: If-None-Match is a list of (possibly weak) tags, or `*`. */
function matchesEtag(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  const bare = etag.replace(/^W\//, '');
  return header.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || t.replace(/^W\//, '') === bare;
  });
}
