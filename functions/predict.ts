/**
 * POST /predict: one raw record, or {"instances": [...]}, each scored by the variant the
 * traffic policy routes it to: sticky per customer (the spec's first identifier, Customer_ID),
 * else per x-request-key header, else per request. Under a shadow policy the challenger scores
 * the same records; its answers are compared, counted and captured, never returned. Every
 * answer (and every variant failure) is captured for the canary controller and A/B reports;
 * each variant that served the request gets one latency sample for it.
 */
import {
  captureFeatures,
  conflict,
  emitEmf,
  ExplainUnavailableError,
  getBasics,
  getService,
  httpHandler,
  jsonResult,
  NoModelError,
  parseExplainQuery,
  parsePredictRequest,
  servingModel,
  settleCapture,
  unavailable,
  type CapturedPrediction,
  type CleanRow,
  type ExplainQuery,
  type Predictor,
} from './runtime/layer.ts';

export const handler = httpHandler({ route: 'POST /predict', body: true }, async (event, state) => {
  const { config, metrics } = getBasics();
  // Every variant is the same model name, so any of them validates the request.
  const primary = await servingModel();
  const explain = parseExplainQuery(event.queryStringParameters);
  const { batch, rows, records, keys } = parsePredictRequest(state.body, primary.predictor.bundle.spec, config.MAX_INSTANCES);
  const { router, capture } = await getService();
  // Service time starts here: a cold start (the container, the first model) is not the model's speed.
  const started = process.hrtime.bigint();
  let waitedForModel = false;
  const fallbackKey = event.headers?.['x-request-key'] || state.requestId;
  const captured: CapturedPrediction[] = [];
  const predictions = [];
  const shadow = { compared: 0, agreed: 0, version: '' };
  try {
    for (let i = 0; i < rows.length; i++) {
      const { route, point } = await router.pick(keys[i] ?? fallbackKey);
      const provider = router.provider(route.alias);
      let model = provider.peek();
      if (!model) {
        waitedForModel = true;
        try {
          model = await provider.current();
        } catch (err) {
          const error = err instanceof NoModelError && err.storageUnavailable ? 'unavailable' : 'model';
          captured.push({ requestId: state.requestId, index: i, at: Date.now(), version: 'none', alias: route.alias, variant: route.variant, ok: false, error });
          throw unavailable(`variant ${route.variant} (${route.alias}) cannot serve: ${(err as Error).message}`);
        }
      } else provider.refreshInBackground();
      const p = predictExplained(model.predictor, rows[i], records[i], explain, model.version);
      metrics.predictions.inc({ class: p.label, model: model.name, version: model.version, alias: model.alias, variant: route.variant });
      emitEmf({ Model: model.name, Version: model.version, Variant: route.variant, Class: p.label }, { Predictions: { value: 1, unit: 'Count' } });
      predictions.push({
        prediction: p.label,
        probabilities: p.probabilities,
        model: { name: model.name, version: model.version, alias: model.alias, variant: route.variant },
        ...(p.notes.length ? { notes: p.notes } : {}),
        ...(p.explanation
          ? { reasons: p.explanation.reasons, baseValue: p.explanation.baseValue, explanation: { method: p.explanation.method, space: p.explanation.space } }
          : {}),
      });
      const challenger = router.shadowFor(point);
      const shadowLabel = challenger ? challenger.predictor.predictClean(rows[i]).label : undefined;
      if (challenger && shadowLabel) {
        const agree = shadowLabel === p.label;
        metrics.shadowPredictions.inc({ model: challenger.name, version: challenger.version, agree: String(agree) });
        shadow.compared++;
        shadow.agreed += agree ? 1 : 0;
        shadow.version = challenger.version;
      }
      captured.push({
        requestId: state.requestId,
        index: i,
        at: Date.now(),
        version: model.version,
        alias: model.alias,
        variant: route.variant,
        predicted: p.label,
        ok: true,
        ...(challenger && shadowLabel ? { shadow: { version: challenger.version, predicted: shadowLabel } } : {}),
        ...(Math.random() < config.CAPTURE_FEATURES_RATE ? { features: captureFeatures(rows[i]), probabilities: p.probabilities } : {}),
      });
    }
  } finally {
    // One latency sample per request and variant: the request's service time, unless it waited for a model to load.
    const latencyMs = Number(process.hrtime.bigint() - started) / 1e6;
    const sampled = new Set<string>();
    for (const record of waitedForModel ? [] : captured) {
      if (sampled.has(record.variant)) continue;
      sampled.add(record.variant);
      record.latencyMs = latencyMs;
    }
    capture.add(captured);
    await settleCapture(capture);
  }
  const served = predictions[0].model;
  state.logFields = {
    'model.name': served.name,
    'model.version': served.version,
    'model.variant': served.variant,
    instances: rows.length,
    ...(shadow.compared ? { 'shadow.version': shadow.version, 'shadow.compared': shadow.compared, 'shadow.agreed': shadow.agreed } : {}),
  };
  return jsonResult(200, batch ? { predictions, requestId: state.requestId } : { ...predictions[0], requestId: state.requestId });
});

/** A prediction, with its reasons when asked for; a model saved without covers is a 409 naming the version. */
function predictExplained(predictor: Predictor, row: CleanRow, record: Record<string, unknown>, explain: ExplainQuery | null, version: string) {
  if (!explain) return predictor.predictClean(row);
  try {
    return predictor.predictClean(row, { top: explain.top, method: explain.method, valueOf: (column) => record[column] });
  } catch (err) {
    if (err instanceof ExplainUnavailableError) throw conflict(`model version ${version} cannot explain its predictions: ${err.message}`);
    throw err;
  }
}
