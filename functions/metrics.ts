/**
 * GET /metrics: this container's Prometheus metrics, text exposition format, with the gauges
 * that describe shared state (the last drift report, the traffic shares) refreshed from storage.
 */
import { exportDriftMetrics, getBasics, getService, httpHandler, latestDriftReport, textResult } from './runtime/layer.ts';

const REFRESH_MS = 30_000;
let refreshedAt = 0;

export const handler = httpHandler({ route: 'GET /metrics' }, async () => {
  const { metrics, config } = getBasics();
  if (Date.now() - refreshedAt > REFRESH_MS) {
    refreshedAt = Date.now();
    try {
      const { store, router } = await getService();
      const report = await latestDriftReport(store, config.MODEL_NAME);
      if (report) exportDriftMetrics(metrics, report);
      const policy = await router.policy();
      metrics.trafficShare.reset();
      for (const r of policy.routes) metrics.trafficShare.set({ model: config.MODEL_NAME, mode: policy.policy.mode, variant: r.variant, alias: r.alias }, r.weight);
    } catch {
      // Storage down: the process metrics still answer; /health reports the storage.
    }
  }
  return textResult(200, await metrics.registry.metrics(), metrics.registry.contentType);
});
