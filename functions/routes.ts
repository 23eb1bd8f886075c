/**
 * Every HTTP route and the handler behind it: the one list the node:http adapter routes with,
 * and that serverless.yml's httpApi events and the tests are checked against.
 */
import type { HttpEvent, HttpResult, LambdaContext } from '../lib/http/api-types.ts';
import { approve as approvalApprove, detail as approvalDetail, list as approvalList, reject as approvalReject } from './approvals.ts';
import { handler as canaryCheck } from './canary-check.ts';
import { handler as canaryStatus } from './canary-status.ts';
import { asset as consoleAsset, page as consolePage, root as consoleRoot } from './console.ts';
import { handler as driftCheck } from './drift-check.ts';
import { handler as driftLatest } from './drift-latest.ts';
import { handler as feedback } from './feedback.ts';
import { handler as health } from './health.ts';
import { handler as history } from './history.ts';
import { handler as housekeeping } from './housekeeping.ts';
import { handler as info } from './info.ts';
import { handler as modelCard } from './model-card.ts';
import { handler as modelVersion } from './model-version.ts';
import { handler as modelVersions } from './model-versions.ts';
import { handler as retrainList } from './retrain-list.ts';
import { handler as metrics } from './metrics.ts';
import { handler as notFound } from './not-found.ts';
import { handler as openapi } from './openapi.ts';
import { predictDefault, predictNamed } from './predict.ts';
import { handler as models } from './models.ts';
import { handler as promote } from './promote.ts';
import { handler as promotionPolicyStatus } from './promotion-policy-status.ts';
import { handler as promotionPolicy } from './promotion-policy.ts';
import { handler as report } from './report.ts';
import { handler as retrainStart } from './retrain.ts';
import { handler as retrainStatus } from './retrain-status.ts';
import { handler as rollback } from './rollback.ts';
import { handler as trafficStatus } from './traffic-status.ts';
import { handler as traffic } from './traffic.ts';
import { infer, inferVersion } from './v2-infer.ts';
import { metadata as modelMetadata, modelReady } from './v2-model.ts';
import { live, ready, serverMetadata } from './v2-server.ts';

export type Handler = (event: HttpEvent, context: LambdaContext) => Promise<HttpResult>;

export interface Route {
  method: 'GET' | 'POST' | 'PUT';
  /** API Gateway style path, with {param} segments. */
  path: string;
  /**
   * The function file under functions/ (and serverless.yml's handler). Routes may share one:
   * its `handler` export then dispatches by path, and `handler` here is the route's own.
   */
  file: string;
  handler: Handler;
}

export const ROUTES: Route[] = [
  { method: 'POST', path: '/predict', file: 'predict', handler: predictDefault },
  { method: 'POST', path: '/models/{name}/predict', file: 'predict', handler: predictNamed },
  { method: 'GET', path: '/models', file: 'models', handler: models },
  { method: 'GET', path: '/model/info', file: 'info', handler: info },
  { method: 'POST', path: '/model/retrain', file: 'retrain', handler: retrainStart },
  { method: 'GET', path: '/model/retrain', file: 'retrain-list', handler: retrainList },
  { method: 'GET', path: '/model/retrain/{jobId}', file: 'retrain-status', handler: retrainStatus },
  { method: 'GET', path: '/model/versions', file: 'model-versions', handler: modelVersions },
  { method: 'GET', path: '/model/versions/{version}', file: 'model-version', handler: modelVersion },
  { method: 'GET', path: '/model/versions/{version}/card', file: 'model-card', handler: modelCard },
  { method: 'GET', path: '/health', file: 'health', handler: health },
  { method: 'GET', path: '/metrics', file: 'metrics', handler: metrics },
  { method: 'GET', path: '/model/traffic', file: 'traffic-status', handler: trafficStatus },
  { method: 'PUT', path: '/model/traffic', file: 'traffic', handler: traffic },
  { method: 'POST', path: '/model/promote', file: 'promote', handler: promote },
  { method: 'POST', path: '/model/rollback', file: 'rollback', handler: rollback },
  { method: 'GET', path: '/model/policy', file: 'promotion-policy-status', handler: promotionPolicyStatus },
  { method: 'PUT', path: '/model/policy', file: 'promotion-policy', handler: promotionPolicy },
  { method: 'GET', path: '/model/history', file: 'history', handler: history },
  { method: 'GET', path: '/model/approvals', file: 'approvals', handler: approvalList },
  { method: 'GET', path: '/model/approvals/{id}', file: 'approvals', handler: approvalDetail },
  { method: 'POST', path: '/model/approvals/{id}/approve', file: 'approvals', handler: approvalApprove },
  { method: 'POST', path: '/model/approvals/{id}/reject', file: 'approvals', handler: approvalReject },
  { method: 'POST', path: '/feedback', file: 'feedback', handler: feedback },
  { method: 'GET', path: '/model/report', file: 'report', handler: report },
  { method: 'GET', path: '/model/canary', file: 'canary-status', handler: canaryStatus },
  { method: 'POST', path: '/model/canary/check', file: 'canary-check', handler: canaryCheck },
  { method: 'POST', path: '/model/housekeeping', file: 'housekeeping', handler: housekeeping },
  { method: 'POST', path: '/drift/check', file: 'drift-check', handler: driftCheck },
  { method: 'GET', path: '/drift/latest', file: 'drift-latest', handler: driftLatest },
  { method: 'GET', path: '/openapi.json', file: 'openapi', handler: openapi },
  // The operator console: the page, its bundled files, and / sending browsers to it.
  { method: 'GET', path: '/', file: 'console', handler: consoleRoot },
  { method: 'GET', path: '/console', file: 'console', handler: consolePage },
  { method: 'GET', path: '/console/assets/{file}', file: 'console', handler: consoleAsset },
  // The Open Inference Protocol (KServe v2), beside our own API.
  { method: 'GET', path: '/v2', file: 'v2-server', handler: serverMetadata },
  { method: 'GET', path: '/v2/health/live', file: 'v2-server', handler: live },
  { method: 'GET', path: '/v2/health/ready', file: 'v2-server', handler: ready },
  { method: 'GET', path: '/v2/models/{name}', file: 'v2-model', handler: modelMetadata },
  { method: 'GET', path: '/v2/models/{name}/ready', file: 'v2-model', handler: modelReady },
  { method: 'POST', path: '/v2/models/{name}/infer', file: 'v2-infer', handler: infer },
  { method: 'POST', path: '/v2/models/{name}/versions/{version}/infer', file: 'v2-infer', handler: inferVersion },
];

/** What answers a path no route matches (API Gateway: the $default route). */
export const NOT_FOUND: Handler = notFound;
export const NOT_FOUND_FILE = 'not-found';

/** The functions no HTTP route calls: the retrain worker (async invoke) and the schedules. */
export const EVENT_FUNCTION_FILES = ['retrain-worker', 'retrain-worker-failed', 'canary-scheduler', 'drift-scheduler', 'housekeeping-scheduler'];

/** Every function deployed to Lambda, by file: each public route's, the 404's, the event-driven ones. */
export function lambdaFunctionFiles(): string[] {
  return [...new Set(ROUTES.map((r) => r.file)), NOT_FOUND_FILE, ...EVENT_FUNCTION_FILES];
}

export type RouteMatch = { route: Route; params: Record<string, string> } | { malformed: string } | null;

/** The route for a method and path with its decoded path parameters; `malformed` when a parameter's %-escape is broken. */
export function matchRoute(method: string, path: string): RouteMatch {
  const parts = path.split('/').filter(Boolean);
  for (const route of ROUTES) {
    if (route.method !== method) continue;
    const pattern = route.path.split('/').filter(Boolean);
    if (pattern.length !== parts.length) continue;
    const params: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < pattern.length && ok; i++) {
      const segment = pattern[i];
      if (segment.startsWith('{') && segment.endsWith('}')) {
        try {
          params[segment.slice(1, -1)] = decodeURIComponent(parts[i]);
        } catch {
          return { malformed: `path parameter ${segment.slice(1, -1)} has a malformed %-escape` };
        }
      } else ok = segment === parts[i];
    }
    if (ok) return { route, params };
  }
  return null;
}
