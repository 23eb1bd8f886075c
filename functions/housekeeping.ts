/**
 * POST /model/housekeeping (admin): the housekeeping sweep now (it also runs hourly): dead
 * retrain jobs marked failed, versions that never got their manifest deleted once old enough.
 */
import { getBasics, getService, httpHandler, jsonResult, runHousekeeping } from './runtime/layer.ts';

export const handler = httpHandler({ route: 'POST /model/housekeeping', admin: true }, async (_event, state) => {
  const { config } = getBasics();
  const result = await runHousekeeping(await getService(), config.MODEL_NAME, config.INCOMPLETE_VERSION_MAX_AGE_HOURS * 3_600_000);
  state.logFields = { deadJobs: result.deadJobs.length, removedVersions: result.removedVersions.length };
  return jsonResult(200, { ...result, requestId: state.requestId });
});
