/**
 * POST /model/canary/check (admin): runs the canary controller now and answers its decision.
 * Safe beside the schedule: of two runs judging one step, one acts and the other reports that
 * the revision moved on.
 */
import { getService, routeHandler, jsonResult, requestedScope, runCanaryCheck } from './runtime/layer.ts';

export const handler = routeHandler('POST /model/canary/check', async (event, state) => {
  const { name: model, router } = await requestedScope(event);
  const { registry, monitoring } = await getService();
  const result = await runCanaryCheck(registry, monitoring, model);
  if (result.applied) await router.refreshAfterChange();
  state.logFields = {
    ...state.logFields,
    'canary.decision': result.decision?.action ?? 'none',
    'canary.applied': result.applied,
    'traffic.revision': result.revision,
  };
  return jsonResult(200, { ...result, requestId: state.requestId });
});
