/** Housekeeping on a schedule (hourly): dead retrain jobs marked failed, abandoned incomplete versions deleted, expired data deleted where the store has no lifecycle rules. */
import { flushingEmf, getBasics, housekeepingNow } from './runtime/layer.ts';

export const handler = flushingEmf(async (): Promise<{ deadJobs: number; removedVersions: number }> => {
  const { logger } = getBasics();
  const result = await housekeepingNow();
  if (result.deadJobs.length || result.removedVersions.length) {
    logger.warn(
      {
        'log.logger': 'housekeeping',
        'event.action': 'housekeeping',
        deadJobs: result.deadJobs,
        removedVersions: result.removedVersions,
      },
      `housekeeping: ${result.deadJobs.length} dead job(s) marked failed, ${result.removedVersions.length} incomplete version(s) deleted`,
    );
  }
  return { deadJobs: result.deadJobs.length, removedVersions: result.removedVersions.length };
});
