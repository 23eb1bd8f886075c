/**
 * POST /predict (the default model, MODEL_NAME) and POST /models/{name}/predict (a registered
 * model by name; 404 for one nobody registered): one raw record, or {"instances": [...]}, each scored by the variant the
 * traffic policy routes it to (functions/runtime/score-routed.ts): sticky per customer (the
 * spec's first identifier, Customer_ID), else per x-request-key header, else per request.
 * `?explain=N` adds each prediction's top N reasons (`&explainMethod=exact|approx`).
 */
import {
  byRoute,
  routeHandler,
  jsonResult,
  parseExplainQuery,
  parsePredictRequest,
  requestedScope,
  scoreRouted,
  servingModel,
  getBasics,
  type RouteHandler,
} from './runtime/layer.ts';

const predict: RouteHandler = async (event, state) => {
  const { config } = getBasics();
  const scope = await requestedScope(event);
  // Every variant is the same model name, so any of them validates the request.
  const primary = await servingModel(scope);
  const explain = parseExplainQuery(event.queryStringParameters);
  const request = parsePredictRequest(state.body, primary.predictor.bundle.spec, config.MAX_INSTANCES);
  const scored = await scoreRouted(scope, request, state, event.headers?.['x-request-key'] || state.requestId, explain);
  const predictions = scored.map((p) => ({
    prediction: p.label,
    probabilities: p.probabilities,
    ...(p.score !== undefined ? { score: p.score } : {}),
    model: p.model,
    ...(p.notes.length ? { notes: p.notes } : {}),
    ...(p.explanation
      ? {
          reasons: p.explanation.reasons,
          baseValue: p.explanation.baseValue,
          explanation: { method: p.explanation.method, space: p.explanation.space },
        }
      : {}),
  }));
  return jsonResult(
    200,
    request.batch ? { predictions, requestId: state.requestId } : { ...predictions[0], requestId: state.requestId },
  );
};

export const predictDefault = routeHandler('POST /predict', predict);
export const predictNamed = routeHandler('POST /models/{name}/predict', predict);

/** On Lambda one function serves both routes. */
export const handler = byRoute(predictDefault, predictNamed);
