/**
 * GET /model/report[?minutes=60] (admin): the A/B report of the window (lib/monitoring/window-report.ts),
 * read from the monitoring summaries, with the traffic policy in force and fairness per variant.
 */
import {
  FEEDBACK_LOOKBACK_MINUTES,
  getService,
  routeHandler,
  jsonResult,
  requestedScope,
  unprocessable,
} from './runtime/layer.ts';

export const handler = routeHandler('GET /model/report', async (event, state) => {
  const minutes = Number(event.queryStringParameters?.minutes ?? 60);
  // Feedback looks for its answer as far back as the longest report, so every label given can count.
  if (!(minutes > 0 && minutes <= FEEDBACK_LOOKBACK_MINUTES))
    throw unprocessable(`minutes must be between 0 and ${FEEDBACK_LOOKBACK_MINUTES}`, [
      { field: 'minutes', message: 'out of range' },
    ]);
  const { name: model, router } = await requestedScope(event);
  const { monitoring } = await getService();
  const until = Date.now();
  const since = until - minutes * 60_000;
  const policy = await router.policy();
  // The served model's classes in its spec's order, if loaded (peek loads nothing): the fairness summary of two classes is the second's.
  const classes = router.provider(policy.routes[0].alias).peek()?.predictor.classes;
  const report = await monitoring.report(
    model,
    since,
    until,
    policy.routes.map((r) => r.variant),
    classes,
  );
  return jsonResult(200, {
    window: { since: new Date(since).toISOString(), until: new Date(until).toISOString(), minutes },
    policy: policy.policy,
    variants: report.variants,
    // Per variant, the window in about 30 slices: requests, errors and latency over time.
    series: report.series,
    seriesBucketSeconds: report.seriesBucketMs / 1000,
    comparison: report.comparison,
    ...(report.unreadable ? { unreadableSummaries: report.unreadable } : {}),
    shadow: report.shadow,
    // Per variant, per sensitive column: the groups' selection rates, labelled rates and summary ratios.
    fairness: report.fairness,
    requestId: state.requestId,
  });
});
