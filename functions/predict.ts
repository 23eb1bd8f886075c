/** POST /predict: one raw record, or {"instances": [...]}, scored by the serving model. */
import { getBasics, httpHandler, jsonResult, parsePredictRequest, servingModel } from './runtime/layer.ts';

export const handler = httpHandler({ route: 'POST /predict', body: true }, async (_event, state) => {
  const model = await servingModel();
  const { config, metrics } = getBasics();
  const { batch, rows } = parsePredictRequest(state.body, model.predictor.bundle.spec, config.MAX_INSTANCES);
  const predictions = rows.map((row) => {
    const p = model.predictor.predictClean(row);
    metrics.predictions.inc({ class: p.label, model: model.name, version: model.version, alias: model.alias });
    return { prediction: p.label, probabilities: p.probabilities, ...(p.notes.length ? { notes: p.notes } : {}) };
  });
  state.logFields = { 'model.name': model.name, 'model.version': model.version, 'model.alias': model.alias, instances: rows.length };
  const modelRef = { name: model.name, version: model.version, alias: model.alias };
  return jsonResult(200, batch ? { predictions, model: modelRef, requestId: state.requestId } : { ...predictions[0], model: modelRef, requestId: state.requestId });
});
