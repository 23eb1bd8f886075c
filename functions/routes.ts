/**
 * Every HTTP route and the handler behind it: the node:http adapter (Knative, tests) routes
 * with this table, and serverless.yml declares the same routes for API Gateway.
 */
import type { HttpEvent, HttpResult, LambdaContext } from '../lib/http/api-types.ts';
import { handler as canaryCheck } from './canary-check.ts';
import { handler as driftCheck } from './drift-check.ts';
import { handler as driftLatest } from './drift-latest.ts';
import { handler as feedback } from './feedback.ts';
import { handler as health } from './health.ts';
import { handler as history } from './history.ts';
import { handler as info } from './info.ts';
import { handler as metrics } from './metrics.ts';
import { handler as predict } from './predict.ts';
import { handler as promote } from './promote.ts';
import { handler as report } from './report.ts';
import { handler as retrainRun } from './retrain-run.ts';
import { handler as retrainStart } from './retrain.ts';
import { handler as retrainStatus } from './retrain-status.ts';
import { handler as rollback } from './rollback.ts';
import { handler as trafficStatus } from './traffic-status.ts';
import { handler as traffic } from './traffic.ts';

export interface Route {
  method: 'GET' | 'POST' | 'PUT';
  /** API Gateway style path, with {param} segments. */
  path: string;
  handler: (event: HttpEvent, context: LambdaContext) => Promise<HttpResult>;
}

export const ROUTES: Route[] = [
  { method: 'POST', path: '/predict', handler: predict },
  { method: 'GET', path: '/model/info', handler: info },
  { method: 'POST', path: '/model/retrain', handler: retrainStart },
  { method: 'GET', path: '/model/retrain/{jobId}', handler: retrainStatus },
  { method: 'GET', path: '/health', handler: health },
  { method: 'GET', path: '/metrics', handler: metrics },
  { method: 'GET', path: '/model/traffic', handler: trafficStatus },
  { method: 'PUT', path: '/model/traffic', handler: traffic },
  { method: 'POST', path: '/model/promote', handler: promote },
  { method: 'POST', path: '/model/rollback', handler: rollback },
  { method: 'GET', path: '/model/history', handler: history },
  { method: 'POST', path: '/feedback', handler: feedback },
  { method: 'GET', path: '/model/report', handler: report },
  { method: 'POST', path: '/model/canary/check', handler: canaryCheck },
  { method: 'POST', path: '/drift/check', handler: driftCheck },
  { method: 'GET', path: '/drift/latest', handler: driftLatest },
  // The retrain service's entry in a cluster (RETRAIN_RUNNER=http); Lambda uses retrain-worker.
  { method: 'POST', path: '/internal/retrain/{jobId}', handler: retrainRun },
];

/** The route for a method and path, with its path parameters. */
export function matchRoute(method: string, path: string): { route: Route; params: Record<string, string> } | null {
  const parts = path.split('/').filter(Boolean);
  for (const route of ROUTES) {
    if (route.method !== method) continue;
    const pattern = route.path.split('/').filter(Boolean);
    if (pattern.length !== parts.length) continue;
    const params: Record<string, string> = {};
    const ok = pattern.every((segment, i) => {
      if (segment.startsWith('{') && segment.endsWith('}')) {
        params[segment.slice(1, -1)] = decodeURIComponent(parts[i]);
        return true;
      }
      return segment === parts[i];
    });
    if (ok) return { route, params };
  }
  return null;
}
