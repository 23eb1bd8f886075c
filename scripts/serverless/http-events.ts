/**
 * serverless.yml's httpApi events, derived from the route table: Serverless Framework v3 reads
 * YAML and cannot import the table, so `npm run build:serverless` rewrites the `events` of each
 * function that serves routes, and test/route-table.test.ts fails while the committed file differs
 * from what this writes. Everything else in a function (role, layers, timeouts, comments) and the
 * event-driven functions (schedules, the retrain worker) stay hand-written. A function is found by
 * its handler line, `${self:custom.functionsDir}/<file>.handler`.
 */
import { routeFiles, type Route } from '../../functions/routes.ts';

export class ServerlessRoutesError extends Error {
  override name = 'ServerlessRoutesError';
}

/** One event in serverless.yml's flow style; a path with a {param} is quoted, as YAML needs. */
function httpEvent(route: Route): string {
  const path = /[{}]/.test(route.path) ? `'${route.path}'` : route.path;
  return `{ httpApi: { method: ${route.method}, path: ${path} } }`;
}

/** The `events` lines of a function serving `routes`: one flow line for one route, a block list for more. */
function eventLines(routes: readonly Route[]): string[] {
  if (routes.length === 1) return [`    events: [${httpEvent(routes[0])}]`];
  return ['    events:', ...routes.map((r) => `      - ${httpEvent(r)}`)];
}

const indent = (line: string): number => line.length - line.trimStart().length;

/** `yaml` with every route function's events rewritten from `routes`; throws for a route file without a function, or a function with routes the table lacks. */
export function withHttpEvents(yaml: string, routes: readonly Route[]): string {
  const lines = yaml.split('\n');
  const start = lines.indexOf('functions:');
  if (start < 0) throw new ServerlessRoutesError('serverless.yml has no top-level functions: section');
  let end = lines.findIndex((line, i) => i > start && line.trim() !== '' && indent(line) === 0);
  if (end < 0) end = lines.length;
  const files = new Set(routeFiles(routes));
  const seen = new Set<string>();
  const out = lines.slice(0, start + 1);
  let i = start + 1;
  while (i < end) {
    // A function: its key at indent 2, then its lines (deeper, or blank) up to the next key or comment at indent 2.
    if (indent(lines[i]) !== 2 || lines[i].trimStart().startsWith('#') || lines[i].trim() === '') {
      out.push(lines[i++]);
      continue;
    }
    let stop = i + 1;
    while (stop < end && (lines[stop].trim() === '' || indent(lines[stop]) > 2)) stop++;
    out.push(...functionWithEvents(lines.slice(i, stop), routes, files, seen));
    i = stop;
  }
  const missing = [...files].filter((file) => !seen.has(file));
  if (missing.length) {
    throw new ServerlessRoutesError(
      `serverless.yml has no function for ${missing.map((f) => `functions/${f}.ts`).join(', ')}: add one (handler: \${self:custom.functionsDir}/<file>.handler, role, layers, package) and run npm run build:serverless`,
    );
  }
  return [...out, ...lines.slice(end)].join('\n');
}

function functionWithEvents(
  block: string[],
  routes: readonly Route[],
  files: ReadonlySet<string>,
  seen: Set<string>,
): string[] {
  const file = block
    .map((line) => /^\s+handler: \$\{self:custom\.functionsDir\}\/([\w-]+)\.handler\s*$/.exec(line)?.[1])
    .find((f) => f !== undefined);
  const at = block.findIndex((line) => /^ {4}events:/.test(line));
  let stop = at + 1;
  if (at >= 0 && block[at].trim() === 'events:')
    while (stop < block.length && (indent(block[stop]) > 4 || block[stop].trim() === '')) stop++;
  const events = at >= 0 ? block.slice(at, stop).join('\n') : '';
  if (!file || !files.has(file)) {
    // Not a route's function: its events are hand-written, but an httpApi route here would be one the table does not declare.
    if (/httpApi:\s*\{/.test(events))
      throw new ServerlessRoutesError(
        `serverless.yml's function ${block[0].trim()} has httpApi routes but lib/http/route-table.ts gives functions/${file ?? '?'}.ts none: declare them there`,
      );
    return block;
  }
  seen.add(file);
  const generated = eventLines(routes.filter((r) => r.file === file));
  if (at < 0) {
    let last = block.length;
    while (last > 0 && block[last - 1].trim() === '') last--;
    return [...block.slice(0, last), ...generated, ...block.slice(last)];
  }
  return [...block.slice(0, at), ...generated, ...block.slice(stop)];
}
