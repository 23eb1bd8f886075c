/** Housekeeping on a schedule (hourly): dead retrain jobs marked failed, abandoned incomplete versions deleted. */
import { getBasics, getService, runHousekeeping } from './runtime/layer.ts';

export async function handler(): Promise<{ deadJobs: number; removedVersions: number }> {
  const { config, logger } = getBasics();
  const result = await runHousekeeping(await getService(), config.MODEL_NAME, config.INCOMPLETE_VERSION_MAX_AGE_HOURS * 3_600_000);
  if (result.deadJobs.length || result.removedVersions.length) {
    logger.warn(
      { 'log.logger': 'housekeeping', 'event.action': 'housekeeping', deadJobs: result.deadJobs, removedVersions: result.removedVersions },
      `housekeeping: ${result.deadJobs.length} dead job(s) marked failed, ${result.removedVersions.length} incomplete version(s) deleted`,
    );
  }
  return { deadJobs: result.deadJobs.length, removedVersions: result.removedVersions.length };
}
