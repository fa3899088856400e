// `npm run openapi`: writes openapi.yaml and the typed client's src/client/api-types.ts from the routes,
// after checking that the document is complete (descriptions, examples valid against their schemas).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { auditDocument, openApiDocument, openApiTypes, openApiYaml } from './openapi-document.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const GENERATED_FILES = { yaml: path.join(root, 'openapi.yaml'), types: path.join(root, 'src/client/api-types.ts') };

const doc = openApiDocument();
const gaps = auditDocument(doc);
if (gaps.length > 0) {
  console.error(`openapi: the document is incomplete; fix the routes and run again:\n  ${gaps.join('\n  ')}`);
  process.exit(1);
}
fs.mkdirSync(path.dirname(GENERATED_FILES.types), { recursive: true });
fs.writeFileSync(GENERATED_FILES.yaml, openApiYaml(doc));
fs.writeFileSync(GENERATED_FILES.types, await openApiTypes(doc));
for (const file of Object.values(GENERATED_FILES)) console.log(`wrote ${path.relative(process.cwd(), file)}`);
