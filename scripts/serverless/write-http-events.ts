/** `npm run build:serverless`: rewrites serverless.yml's httpApi events from the route table (scripts/serverless/http-events.ts). */
import { readFileSync, writeFileSync } from 'node:fs';
import { ROUTES } from '../../functions/routes.ts';
import { withHttpEvents } from './http-events.ts';

const FILE = 'serverless.yml';
const before = readFileSync(FILE, 'utf8');
const after = withHttpEvents(before, ROUTES);
if (after === before) process.stdout.write(`${FILE}: its httpApi events already follow lib/http/route-table.ts\n`);
else {
  writeFileSync(FILE, after);
  process.stdout.write(`${FILE}: httpApi events rewritten from lib/http/route-table.ts\n`);
}
