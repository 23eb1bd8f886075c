/**
 * POST /model/housekeeping (admin): the housekeeping sweep now (it also runs hourly): dead
 * retrain jobs marked failed, versions that never got their manifest deleted once old enough,
 * and expired captures, feedback and rollups deleted where the store has no lifecycle rules
 * ("retention": what it deleted, or the fault that stopped it).
 */
import { housekeepingNow, routeHandler, jsonResult } from './runtime/layer.ts';

export const handler = routeHandler('POST /model/housekeeping', async (_event, state) => {
  const result = await housekeepingNow();
  state.logFields = {
    ...state.logFields,
    deadJobs: result.deadJobs.length,
    removedVersions: result.removedVersions.length,
  };
  return jsonResult(200, { ...result, requestId: state.requestId });
});
