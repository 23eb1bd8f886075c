/**
 * The role each admin route needs: the one table the admin check reads (lib/http/admin-only.ts,
 * through functions/runtime/http-handler.ts). Keyed "METHOD /path" as functions/routes.ts and
 * lib/http/route-docs.ts are; a test holds its keys equal to the routes the docs mark admin.
 * Reads need a viewer; anything that changes the registry, traffic, jobs or stored data an operator.
 * Approving another principal's change request needs an approver (docs/four-eyes.md).
 */
import type { Role } from './principal.ts';

export const ROUTE_ROLES: Readonly<Record<string, Role>> = {
  'GET /model/retrain': 'viewer',
  'GET /model/retrain/{jobId}': 'viewer',
  'GET /model/versions/{version}/card': 'viewer',
  'GET /model/history': 'viewer',
  'GET /model/policy': 'viewer',
  'GET /model/approvals': 'viewer',
  'GET /model/approvals/{id}': 'viewer',
  'GET /model/report': 'viewer',
  'GET /model/canary': 'viewer',
  'GET /drift/latest': 'viewer',
  'GET /metrics': 'viewer',
  // Scores with any registered version: a read of the registry, not a change.
  'POST /v2/models/{name}/versions/{version}/infer': 'viewer',
  'POST /model/retrain': 'operator',
  'POST /model/promote': 'operator',
  'POST /model/rollback': 'operator',
  'PUT /model/traffic': 'operator',
  'POST /model/canary/check': 'operator',
  'POST /model/housekeeping': 'operator',
  'POST /drift/check': 'operator',
  'PUT /model/policy': 'operator',
  'POST /model/approvals/{id}/approve': 'approver',
  // An approver rejects; the requester (an operator) may withdraw their own: the handler tells them apart.
  'POST /model/approvals/{id}/reject': 'operator',
  // Labelled outcomes steer canary and A/B decisions, so writing them is a change.
  'POST /feedback': 'operator',
};

export class UnknownAdminRouteError extends Error {
  override name = 'UnknownAdminRouteError';
}

/** The role `route` needs; throws for an admin route the table misses (at module load, not on a request). */
export function requiredRole(route: string): Role {
  const role = ROUTE_ROLES[route];
  if (!role) throw new UnknownAdminRouteError(`admin route ${route} has no entry in lib/auth/route-roles.ts ROUTE_ROLES`);
  return role;
}
