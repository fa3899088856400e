// `npm run openapi`: writes openapi.yaml from the routes.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openApiYaml } from './openapi-document.ts';

const target = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../openapi.yaml');
fs.writeFileSync(target, openApiYaml());
console.log(`wrote ${path.relative(process.cwd(), target)}`);
