/**
 * Housekeeping on a schedule (hourly): dead retrain jobs marked failed, abandoned incomplete
 * versions deleted, and the monitoring rollups of the last two days checked and completed (the
 * minute schedule looks back 15 minutes; this catches batches written late and hours or days a
 * stopped service never rolled up).
 */
import { getBasics, getService, rollUpSummaries, runHousekeeping } from './runtime/layer.ts';

/** How far back the hourly run checks the rollups. */
const ROLLUP_LOOKBACK_MS = 48 * 3_600_000;

export async function handler(): Promise<{ deadJobs: number; removedVersions: number }> {
  const { config, logger, metrics } = getBasics();
  const service = await getService();
  await rollUpSummaries(service.store, config.MODEL_NAME, Date.now(), { lookbackMs: ROLLUP_LOOKBACK_MS }).catch((err: unknown) => {
    metrics.backgroundFailures.inc({ task: 'summary-rollup' });
    logger.error({ 'log.logger': 'monitoring', 'event.action': 'summary-rollup-failed', 'error.message': (err as Error).message }, `monitoring summaries could not be rolled up: ${(err as Error).message}`);
  });
  const result = await runHousekeeping(service, config.MODEL_NAME, config.INCOMPLETE_VERSION_MAX_AGE_HOURS * 3_600_000);
  if (result.deadJobs.length || result.removedVersions.length) {
    logger.warn(
      { 'log.logger': 'housekeeping', 'event.action': 'housekeeping', deadJobs: result.deadJobs, removedVersions: result.removedVersions },
      `housekeeping: ${result.deadJobs.length} dead job(s) marked failed, ${result.removedVersions.length} incomplete version(s) deleted`,
    );
  }
  return { deadJobs: result.deadJobs.length, removedVersions: result.removedVersions.length };
}
