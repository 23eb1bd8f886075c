/**
 * GET /metrics: this container's Prometheus metrics, text exposition format. Gauges that
 * describe shared state come from memory (the traffic shares of each served model's policy) or from
 * storage in the background (each model's last drift report and the recent retrain jobs' outcomes,
 * re-read at most every 30 s), so a scrape never waits on the store.
 */
import {
  exportDriftMetrics,
  exportRecentJobOutcomes,
  getBasics,
  getService,
  routeHandler,
  latestDriftReport,
  recentJobOutcomes,
  textResult,
} from './runtime/layer.ts';

const REFRESH_MS = 30_000;
let refreshedAt = 0;

export const handler = routeHandler('GET /metrics', async () => {
  const { metrics } = getBasics();
  const service = await getService().catch(() => null);
  if (service) {
    const { models, store, docs, jobs } = service;
    const scopes = models.started();
    metrics.capturePending.set(scopes.reduce((sum, scope) => sum + scope.capture.status().pending, 0));
    metrics.trafficShare.reset();
    for (const scope of scopes) {
      const resolved = await scope.router.policy();
      for (const r of resolved.routes)
        metrics.trafficShare.set(
          { model: scope.name, mode: resolved.policy.mode, variant: r.variant, alias: r.alias },
          r.weight,
        );
    }
    if (Date.now() - refreshedAt > REFRESH_MS) {
      refreshedAt = Date.now();
      for (const scope of scopes) {
        void latestDriftReport(store, scope.name).then(
          (report) => report && exportDriftMetrics(metrics, report),
          () => metrics.backgroundFailures.inc({ task: 'drift-metrics-refresh' }),
        );
      }
      // Retrain processes exit unscraped: their outcomes come from the job records (lib/retrain/recent-job-outcomes.ts).
      void recentJobOutcomes(docs, jobs, Date.now()).then(
        (outcomes) => exportRecentJobOutcomes(metrics, outcomes, models.defaultName),
        () => metrics.backgroundFailures.inc({ task: 'retrain-metrics-refresh' }),
      );
    }
  }
  return textResult(200, await metrics.registry.metrics(), metrics.registry.contentType);
});
