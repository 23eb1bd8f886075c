/**
 * GET /model/report[?minutes=60] (admin): per-variant requests, errors, latency and class shares
 * over the window; with feedback, accuracy and macro F1 and a two-proportion z-test of the
 * accuracy difference between the first two variants; under shadow, the agreement rate and the
 * confusion between the answers given and the shadow's.
 */
import { FEEDBACK_LOOKBACK_MINUTES, getBasics, getService, httpHandler, jsonResult, readCaptures, readFeedback, twoProportionZTest, unprocessable, variantSeries, variantStats } from './runtime/layer.ts';

const SERIES_BUCKETS = 30;

export const handler = httpHandler({ route: 'GET /model/report', admin: true }, async (event, state) => {
  const minutes = Number(event.queryStringParameters?.minutes ?? 60);
  // Feedback looks for its answer as far back as the longest report, so every label given can count.
  if (!(minutes > 0 && minutes <= FEEDBACK_LOOKBACK_MINUTES)) throw unprocessable(`minutes must be between 0 and ${FEEDBACK_LOOKBACK_MINUTES}`, [{ field: 'minutes', message: 'out of range' }]);
  const { config } = getBasics();
  const { store, router } = await getService();
  const until = Date.now();
  const since = until - minutes * 60_000;
  const { records: captures, unreadable } = await readCaptures(store, config.MODEL_NAME, since, until);
  const feedback = await readFeedback(store, config.MODEL_NAME, since, until);
  const policy = await router.policy();
  const classes = [...new Set([...captures.map((c) => c.predicted).filter((p): p is string => p !== undefined), ...feedback.values()])].sort();
  const variants = variantStats(captures, feedback, classes);
  const [a, b] = policy.routes.map((r) => variants.find((v) => v.variant === r.variant)).filter((v) => v !== undefined);
  const comparison = a && b ? { a: a.variant, b: b.variant, accuracy: twoProportionZTest(a.correct, a.labelled, b.correct, b.labelled), f1MacroDifference: a.f1Macro !== null && b.f1Macro !== null ? b.f1Macro - a.f1Macro : null } : null;
  const shadowed = captures.filter((c) => c.shadow);
  const confusion: Record<string, Record<string, number>> = {};
  for (const c of shadowed) {
    confusion[c.predicted!] ??= {};
    confusion[c.predicted!][c.shadow!.predicted] = (confusion[c.predicted!][c.shadow!.predicted] ?? 0) + 1;
  }
  return jsonResult(200, {
    window: { since: new Date(since).toISOString(), until: new Date(until).toISOString(), minutes },
    policy: policy.policy,
    variants,
    // Per variant, the window in SERIES_BUCKETS slices: requests, errors and latency over time.
    series: variantSeries(captures, since, until, SERIES_BUCKETS),
    comparison,
    ...(unreadable ? { unreadableCaptures: unreadable } : {}),
    shadow: shadowed.length ? { compared: shadowed.length, agreementRate: shadowed.filter((c) => c.shadow!.predicted === c.predicted).length / shadowed.length, confusion } : null,
    requestId: state.requestId,
  });
});
