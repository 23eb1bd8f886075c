/**
 * Which requests of the console are about the chosen model, and how they name it: the routes the
 * service reads `?model=` on are lib/http/model-query-routes.ts MODEL_QUERY_ROUTES (the same list
 * its 404 check and OpenAPI read, bundled in, not copied); scoring names its model in the path,
 * POST /models/{name}/predict. Pure functions: api.ts applies them to every request.
 */
import { MODEL_QUERY_ROUTES } from '../../lib/http/model-query-routes.ts';

/** The query parameter the service reads (functions/runtime/requested-model.ts). */
const MODEL_PARAMETER = 'model';

/** Each route as its method and a pattern of its path: a `{param}` is one path segment. */
const MODEL_ROUTES = [...MODEL_QUERY_ROUTES].map((route) => {
  const [method, path] = route.split(' ');
  const pattern = path
    .split('/')
    .map((part) => (/^\{\w+\}$/.test(part) ? '[^/]+' : part.replace(/[.*+?^$()|[\]\\]/g, '\\$&')));
  return { method, path: new RegExp(`^${pattern.join('/')}$`) };
});

/** Whether `method` on `path` (with or without a leading slash, no query) takes `?model=`. */
export function takesModel(method: string, path: string): boolean {
  const absolute = `/${path.replace(/^\//, '')}`;
  return MODEL_ROUTES.some((r) => r.method === method && r.path.test(absolute));
}

/**
 * `path` (relative to the page, maybe with a query) for `model`: `?model=` added on the routes
 * about one model. Without a chosen model the path is unchanged: the service's default model.
 */
export function withModel(method: string, path: string, model: string | null): string {
  if (model === null) return path;
  const at = path.indexOf('?');
  const [pathname, query] = at < 0 ? [path, ''] : [path.slice(0, at), path.slice(at + 1)];
  if (!takesModel(method, pathname)) return path;
  const params = new URLSearchParams(query);
  params.set(MODEL_PARAMETER, model);
  return `${pathname}?${params.toString()}`;
}

/** The route that scores a record: the chosen model's own, else /predict (the default model). */
export function predictPath(model: string | null): string {
  return model === null ? 'predict' : `models/${encodeURIComponent(model)}/predict`;
}
