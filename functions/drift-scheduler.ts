/**
 * The scheduled drift check (hourly on AWS; a CronJob or PingSource in a cluster): captured
 * traffic of the window, for every registered model that has a serving version. One model's
 * failure does not stop the others'; it is logged and counted.
 */
import {
  capturedCounts,
  driftDeps,
  flushingEmf,
  getBasics,
  getService,
  NoModelError,
  runDriftCheck,
} from './runtime/layer.ts';

interface ModelDrift {
  model: string;
  verdict?: string;
  action?: string;
  rows?: number;
  jobId?: string;
  skipped?: string;
  error?: string;
}

export const handler = flushingEmf(async (): Promise<{ models: ModelDrift[] }> => {
  const { logger, metrics } = getBasics();
  const { models } = await getService();
  const results: ModelDrift[] = [];
  for (const name of await models.names()) {
    try {
      const scope = await models.get(name);
      const policy = await scope.router.policy();
      const model = await scope.router.provider(policy.routes[0].alias).current();
      const deps = await driftDeps(name);
      const { counts, source } = await capturedCounts(deps, model);
      const report = await runDriftCheck(deps, model, { counts }, source, true);
      results.push({
        model: name,
        verdict: report.verdict,
        action: report.action,
        rows: report.rows,
        ...(report.jobId ? { jobId: report.jobId } : {}),
      });
    } catch (err) {
      // A model registered but not yet serving has nothing to compare: not a failure.
      if (err instanceof NoModelError && !err.storageUnavailable) {
        results.push({ model: name, skipped: err.message });
        continue;
      }
      metrics.backgroundFailures.inc({ task: 'drift-check' });
      logger.error(
        {
          'log.logger': 'drift',
          'event.action': 'drift-check-failed',
          'model.name': name,
          'error.message': (err as Error).message,
        },
        `drift check of ${name} failed: ${(err as Error).message}`,
      );
      results.push({ model: name, error: (err as Error).message });
    }
  }
  return { models: results };
});
