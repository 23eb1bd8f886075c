/**
 * POST /predict: one raw record, or {"instances": [...]}, each scored by the variant the
 * traffic policy routes it to: sticky per customer (the spec's first identifier, Customer_ID),
 * else per x-request-key header, else per request. Under a shadow policy the challenger scores
 * the same records; its answers are compared, counted and logged, never returned.
 */
import { getBasics, getService, httpHandler, jsonResult, parsePredictRequest, routedModel, servingModel } from './runtime/layer.ts';

export const handler = httpHandler({ route: 'POST /predict', body: true }, async (event, state) => {
  const { config, metrics, logger } = getBasics();
  // Every variant is the same model name, so any of them validates the request.
  const primary = await servingModel();
  const { batch, rows, keys } = parsePredictRequest(state.body, primary.predictor.bundle.spec, config.MAX_INSTANCES);
  const { router } = await getService();
  const fallbackKey = event.headers?.['x-request-key'] || state.requestId;
  const predictions = [];
  const shadow = { compared: 0, agreed: 0, version: '' };
  for (let i = 0; i < rows.length; i++) {
    const { model, route, point } = await routedModel(keys[i] ?? fallbackKey);
    const p = model.predictor.predictClean(rows[i]);
    metrics.predictions.inc({ class: p.label, model: model.name, version: model.version, alias: model.alias, variant: route.variant });
    predictions.push({
      prediction: p.label,
      probabilities: p.probabilities,
      model: { name: model.name, version: model.version, alias: model.alias, variant: route.variant },
      ...(p.notes.length ? { notes: p.notes } : {}),
    });
    const challenger = await router.shadowFor(point);
    if (challenger) {
      const agree = challenger.predictor.predictClean(rows[i]).label === p.label;
      metrics.shadowPredictions.inc({ model: challenger.name, version: challenger.version, agree: String(agree) });
      shadow.compared++;
      shadow.agreed += agree ? 1 : 0;
      shadow.version = challenger.version;
    }
  }
  const served = predictions[0].model;
  state.logFields = {
    'model.name': served.name,
    'model.version': served.version,
    'model.variant': served.variant,
    instances: rows.length,
    ...(shadow.compared ? { 'shadow.version': shadow.version, 'shadow.compared': shadow.compared, 'shadow.agreed': shadow.agreed } : {}),
  };
  if (shadow.compared) logger.info({ 'log.logger': 'shadow', 'http.request.id': state.requestId, ...state.logFields }, `shadow ${shadow.version}: ${shadow.agreed}/${shadow.compared} agreed`);
  return jsonResult(200, batch ? { predictions, requestId: state.requestId } : { ...predictions[0], requestId: state.requestId });
});
