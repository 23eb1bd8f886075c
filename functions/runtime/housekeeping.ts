/**
 * One housekeeping run with this container's settings (both the route and the schedule), over
 * every registered model: the
 * monitoring rollups of the last two days checked and completed first (the minute schedule looks
 * back 15 minutes; this catches batches written late and periods a stopped service never rolled
 * up; a failure is logged and counted as task "summary-rollup"), then the sweep, and
 * what it did reported: retention deletions counted by data (credit_score_retention_deleted_total),
 * a failed retention sweep logged, counted (credit_score_background_failures_total{task="retention"})
 * and shown by /health until a sweep succeeds.
 */
import { retentionPeriods } from '../../lib/config/config.ts';
import { runHousekeeping, type HousekeepingResult } from '../../lib/retrain/housekeeping.ts';
import { rollUpReporting } from './roll-up.ts';
import { getService } from './service.ts';

/** How far back housekeeping checks the monitoring rollups. */
const ROLLUP_LOOKBACK_MS = 48 * 3_600_000;

export async function housekeepingNow(now = Date.now()): Promise<HousekeepingResult> {
  const service = await getService();
  const { config, logger, metrics } = service;
  const models = await service.models.names();
  for (const model of models) await rollUpReporting(service, model, now, { lookbackMs: ROLLUP_LOOKBACK_MS });
  const result = await runHousekeeping(service, models, {
    incompleteMaxAgeMs: config.INCOMPLETE_VERSION_MAX_AGE_HOURS * 3_600_000,
    retention: {
      enforcedBy: config.RETENTION_ENFORCED_BY,
      periods: retentionPeriods(config),
      maxDeletes: config.RETENTION_MAX_DELETES_PER_RUN,
    },
    now,
  });
  const retention = result.retention;
  service.retention.record(retention, now);
  if (retention.enforcedBy === 'housekeeping') {
    for (const [data, n] of Object.entries(retention.deleted)) if (n > 0) metrics.retentionDeleted.inc({ data }, n);
    const fields = {
      'log.logger': 'housekeeping',
      'event.action': 'retention',
      deleted: retention.deleted,
      days: retention.days,
      more: retention.more,
    };
    const counts = `${retention.deleted.captures} capture, ${retention.deleted.feedback} feedback, ${retention.deleted.summaries} rollup object(s) deleted from ${retention.days} expired day(s)`;
    if (retention.error !== undefined) {
      metrics.backgroundFailures.inc({ task: 'retention' });
      logger.error(
        { ...fields, 'error.message': retention.error },
        `retention sweep failed (${counts} before it): ${retention.error}`,
      );
    } else if (retention.days > 0 || retention.more) {
      logger.info(fields, `retention: ${counts}${retention.more ? '; more next run' : ''}`);
    }
  }
  return result;
}
