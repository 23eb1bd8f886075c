/**
 * One Lambda function serving several routes (a file with several route handlers): its entry
 * picks the route's handler by the event's route key, which API Gateway, serverless-offline and
 * the node:http adapter all set to the matched declaration ("GET /model/approvals/{id}"). An
 * event without a known key (a hand-made one) is matched by method and path; no match is the
 * documented 404, as for a path no route declares.
 */
import type { HttpEvent } from '../../lib/http/api-types.ts';
import { notFound } from '../../lib/http/http-error.ts';
import { matchPath } from '../../lib/http/route-path.ts';
import { httpHandler, type ServedHandler } from './http-handler.ts';

/** What answers a path no route matches (API Gateway: the $default route). */
export const noRoute = httpHandler({ route: 'not found' }, async (event) => {
  throw notFound(`no route ${event.requestContext?.http?.method ?? ''} ${event.rawPath ?? ''}`.trim());
});

export function byRoute(...handlers: ServedHandler[]): ServedHandler {
  const byKey = new Map(handlers.flatMap((h) => h.routes.map((route) => [route as string, h] as const)));
  const find = (event: HttpEvent): ServedHandler | undefined => {
    const known = byKey.get(event.routeKey ?? '');
    if (known) return known;
    const method = event.requestContext?.http?.method ?? '';
    return [...byKey].find(
      ([key]) =>
        key.startsWith(`${method} `) &&
        'params' in (matchPath(key.slice(method.length + 1), event.rawPath ?? '') ?? {}),
    )?.[1];
  };
  const entry = (event: HttpEvent, context: Parameters<ServedHandler>[1]) => (find(event) ?? noRoute)(event, context);
  return Object.assign(entry, { routes: handlers.flatMap((h) => h.routes) });
}
