/**
 * Each route file's Lambda entry (its `handler` export), loaded by file name for the node:http
 * adapter: from functions/adapter/, so the bundlers' pattern for the variable import (`../*.ts`)
 * is not the importing file's own folder (Vite refuses that one).
 */
import type { HttpEvent, HttpResult, LambdaContext } from '../../lib/http/api-types.ts';
import { NOT_FOUND_FILE, routeFiles, ROUTES, type Route } from '../routes.ts';

export type Handler = (event: HttpEvent, context: LambdaContext) => Promise<HttpResult>;

type ServedModule = { handler: Handler & { routes?: readonly string[] } };

/**
 * Each route file's `handler` (and the 404's), loaded by file name, checked to serve exactly the
 * routes the table gives its file: a handler naming a route of another file, or a route whose file
 * lacks its handler, fails here at start-up, naming both.
 */
export async function loadRouteHandlers(
  routes: readonly Route[] = ROUTES,
  load: (file: string) => Promise<ServedModule> = (file) => import(`../${file}.ts`),
): Promise<Map<string, Handler>> {
  const handlers = new Map<string, Handler>();
  for (const file of [...routeFiles(routes), NOT_FOUND_FILE]) {
    const { handler } = await load(file);
    const declared = routes.filter((r) => r.file === file).map((r) => `${r.method} ${r.path}`);
    const served = handler.routes ?? [];
    if ([...served].sort().join('\n') !== [...declared].sort().join('\n')) {
      throw new Error(
        `functions/${file}.ts's handler serves [${served.join(', ')}] but lib/http/route-table.ts gives it [${declared.join(', ')}]`,
      );
    }
    handlers.set(file, handler);
  }
  return handlers;
}
