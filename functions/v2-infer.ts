/**
 * The Open Inference Protocol's inference: POST /v2/models/{name}/infer scores under the
 * traffic policy, exactly as /predict does (same routing, captures, metrics; the request's `id`
 * or an x-request-key header routes rows without an identifier); POST
 * /v2/models/{name}/versions/{version}/infer scores with that registered version, outside the
 * policy and its captures, for admins unless VERSIONED_INFER_PUBLIC=true. Inputs are one tensor
 * per column (lib/serving/open-inference.ts), each checked against the protocol's tensor rules
 * first (lib/serving/oip-tensor.ts: 400 for a shape, nesting, datatype or range it refuses);
 * errors are {"error": "..."}.
 */
import {
  getBasics,
  byRoute,
  routeHandler,
  inferenceResponse,
  jsonResult,
  parseInferenceRequest,
  parsePredictRequest,
  policyAliases,
  predictExplained,
  recordsFromInputs,
  requestedScope,
  scoreRouted,
  servingModel,
} from './runtime/layer.ts';

export const infer = routeHandler('POST /v2/models/{name}/infer', async (event, state) => {
  const scope = await requestedScope(event);
  const name = scope.name;
  const request = parseInferenceRequest(state.body);
  const { config } = getBasics();
  const primary = await servingModel(scope);
  const spec = primary.predictor.bundle.spec;
  const parsed = parsePredictRequest({ instances: recordsFromInputs(request, spec) }, spec, config.MAX_INSTANCES);
  const scored = await scoreRouted(
    scope,
    parsed,
    state,
    event.headers?.['x-request-key'] || request.id || state.requestId,
  );
  // Rows may be served by different variants (an A/B split); the response names the first one's version.
  return jsonResult(200, inferenceResponse(name, scored[0].model.version, request, spec.target.classes, scored));
});

export const inferVersion = routeHandler('POST /v2/models/{name}/versions/{version}/infer', async (event, state) => {
  const { name, router, versions } = await requestedScope(event);
  const version = event.pathParameters?.version ?? '';
  const request = parseInferenceRequest(state.body);
  const { config, metrics } = getBasics();
  const served = policyAliases(await router.policy())
    .map((alias) => router.provider(alias).peek())
    .filter((m) => m !== null);
  const model = await versions.get(version, served);
  const spec = model.predictor.bundle.spec;
  const parsed = parsePredictRequest({ instances: recordsFromInputs(request, spec) }, spec, config.MAX_INSTANCES);
  const scored = parsed.rows.map((row, i) => predictExplained(model.predictor, row, parsed.records[i], null, version));
  for (const p of scored)
    metrics.predictions.inc({ class: p.label, model: name, version, alias: 'none', variant: 'version' });
  state.logFields = {
    ...state.logFields,
    'model.name': name,
    'model.version': version,
    'model.variant': 'version',
    instances: scored.length,
  };
  return jsonResult(200, inferenceResponse(name, version, request, spec.target.classes, scored));
});

export const handler = byRoute(infer, inferVersion);
