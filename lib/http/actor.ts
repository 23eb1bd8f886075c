/**
 * The `actor` an admin route records in the history: the principal that called
 * (lib/auth/principal.ts describePrincipal). The request id is in the access log, not here.
 */
import { describePrincipal } from '../auth/principal.ts';
import type { RequestState } from './request-state.ts';

export function actorOf(state: RequestState): string {
  // Only a route without an admin check has no principal; none of those records history.
  return state.principal ? describePrincipal(state.principal) : `admin-api ${state.requestId}`;
}
