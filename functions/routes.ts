/**
 * The node:http router, derived from the route table (lib/http/route-table.ts, where every route
 * is declared once): each route's function file, loaded by name, and the path match. A route
 * reaches its handler here as on Lambda: through its file's `handler` export, which dispatches by
 * route key when the file serves several (functions/runtime/dispatch.ts).
 */
import type { HttpEvent, HttpResult, LambdaContext } from '../lib/http/api-types.ts';
import { matchPath } from '../lib/http/route-path.ts';
import { declaredRoutes, ROUTE_TABLE, type RouteDeclaration } from '../lib/http/route-table.ts';

export type Handler = (event: HttpEvent, context: LambdaContext) => Promise<HttpResult>;

export interface Route {
  method: string;
  /** API Gateway style path, with {param} segments. */
  path: string;
  /** The function file under functions/ (serverless.yml's handler); routes may share one. */
  file: string;
}

/** The routes of a table, in its order. */
export function routesOf(table: Readonly<Record<string, RouteDeclaration>>): Route[] {
  return declaredRoutes(table).map(({ method, path, declaration }) => ({ method, path, file: declaration.file }));
}

export const ROUTES: Route[] = routesOf(ROUTE_TABLE);

/** The file whose `handler` answers a path no route matches (API Gateway: the $default route). */
export const NOT_FOUND_FILE = 'not-found';

/** The functions no HTTP route calls: the retrain worker (async invoke) and the schedules. */
export const EVENT_FUNCTION_FILES = ['retrain-worker', 'retrain-worker-failed', 'canary-scheduler', 'drift-scheduler', 'housekeeping-scheduler'];

/** The function files the routes name, each once, in the table's order. */
export function routeFiles(routes: readonly Route[] = ROUTES): string[] {
  return [...new Set(routes.map((r) => r.file))];
}

/** Every function deployed to Lambda, by file: each public route's, the 404's, the event-driven ones. */
export function lambdaFunctionFiles(): string[] {
  return [...routeFiles(), NOT_FOUND_FILE, ...EVENT_FUNCTION_FILES];
}

export type RouteMatch = { route: Route; params: Record<string, string> } | { malformed: string } | null;

/** The route for a method and path with its decoded path parameters; `malformed` when a parameter's %-escape is broken. */
export function matchRoute(method: string, path: string, routes: readonly Route[] = ROUTES): RouteMatch {
  for (const route of routes) {
    if (route.method !== method) continue;
    const match = matchPath(route.path, path);
    if (match) return 'malformed' in match ? match : { route, params: match.params };
  }
  return null;
}

type ServedModule = { handler: Handler & { routes?: readonly string[] } };

/**
 * Each route file's `handler` (and the 404's), loaded by file name, checked to serve exactly the
 * routes the table gives its file: a handler naming a route of another file, or a route whose file
 * lacks its handler, fails here at start-up, naming both.
 */
export async function loadRouteHandlers(routes: readonly Route[] = ROUTES, load: (file: string) => Promise<ServedModule> = (file) => import(`./${file}.ts`)): Promise<Map<string, Handler>> {
  const handlers = new Map<string, Handler>();
  for (const file of [...routeFiles(routes), NOT_FOUND_FILE]) {
    const { handler } = await load(file);
    const declared = routes.filter((r) => r.file === file).map((r) => `${r.method} ${r.path}`);
    const served = handler.routes ?? [];
    if ([...served].sort().join('\n') !== [...declared].sort().join('\n')) {
      throw new Error(`functions/${file}.ts's handler serves [${served.join(', ')}] but lib/http/route-table.ts gives it [${declared.join(', ')}]`);
    }
    handlers.set(file, handler);
  }
  return handlers;
}
