/**
 * The routes about one model that take `?model=NAME` (a registered model; the default model,
 * MODEL_NAME, without it): the one list the request check (functions/runtime/http-handler.ts)
 * and the OpenAPI document (lib/http/openapi.ts) read. Routes with a `{name}` path parameter
 * name their model in the path instead. The others are about the service or all its models
 * (metrics, housekeeping, the retrain job list and status, the console).
 */
export const MODEL_QUERY_ROUTES: ReadonlySet<string> = new Set([
  'GET /model/info',
  'GET /model/versions',
  'GET /model/versions/{version}',
  'GET /model/versions/{version}/card',
  'GET /health',
  'GET /model/traffic',
  'PUT /model/traffic',
  'POST /model/promote',
  'POST /model/rollback',
  'GET /model/policy',
  'PUT /model/policy',
  'GET /model/history',
  'GET /model/approvals',
  'GET /model/approvals/{id}',
  'POST /model/approvals/{id}/approve',
  'POST /model/approvals/{id}/reject',
  'POST /feedback',
  'GET /model/report',
  'GET /model/canary',
  'POST /model/canary/check',
  'POST /drift/check',
  'GET /drift/latest',
  'POST /model/retrain',
  'GET /v2/health/ready',
]);

/** Whether `route` ("METHOD /path") is about one model: by `?model=`, or by a `{name}` in its path. */
export function namesAModel(route: string): boolean {
  return MODEL_QUERY_ROUTES.has(route) || route.includes('{name}');
}
