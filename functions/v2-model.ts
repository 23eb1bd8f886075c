/**
 * The Open Inference Protocol's model routes: GET /v2/models/{name} (inputs, one tensor per
 * feature column with its datatype; outputs `label` and `probabilities`; the versions the
 * traffic policy serves) and GET /v2/models/{name}/ready, for every registered model. A name
 * nobody registered is a 404. On Lambda one function serves both (`handler` dispatches by path).
 */
import {
  byRoute,
  routeHandler,
  jsonResult,
  modelMetadata,
  policyAliases,
  requestedScope,
  servingModel,
} from './runtime/layer.ts';

export const metadata = routeHandler('GET /v2/models/{name}', async (event) => {
  const scope = await requestedScope(event);
  const { name, router } = scope;
  const model = await servingModel(scope);
  const served = policyAliases(await router.policy())
    .map((alias) => router.provider(alias).peek()?.version)
    .filter((v): v is string => v !== undefined);
  return jsonResult(200, modelMetadata(name, [...new Set([model.version, ...served])], model.predictor.bundle.spec));
});

export const modelReady = routeHandler('GET /v2/models/{name}/ready', async (event) => {
  const scope = await requestedScope(event);
  const name = scope.name;
  try {
    await servingModel(scope);
    return jsonResult(200, { name, ready: true });
  } catch {
    return jsonResult(400, { name, ready: false });
  }
});

export const handler = byRoute(metadata, modelReady);
