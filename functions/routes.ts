/**
 * The node:http router, derived from the route table (lib/http/route-table.ts, where every route
 * is declared once): each route's function file and the path match. The adapter calls a route's
 * file's `handler` export as Lambda does (adapter/route-handlers.ts), which dispatches by route
 * key when the file serves several (functions/runtime/dispatch.ts).
 */
import { matchPath } from '../lib/http/route-path.ts';
import { declaredRoutes, ROUTE_TABLE, type RouteDeclaration } from '../lib/http/route-table.ts';

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
export const EVENT_FUNCTION_FILES = [
  'retrain-worker',
  'retrain-worker-failed',
  'canary-scheduler',
  'drift-scheduler',
  'housekeeping-scheduler',
];

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
