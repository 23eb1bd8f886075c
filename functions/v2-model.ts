/**
 * The Open Inference Protocol's model routes: GET /v2/models/{name} (inputs, one tensor per
 * feature column with its datatype; outputs `label` and `probabilities`; the versions the
 * traffic policy serves) and GET /v2/models/{name}/ready. A name other than this service's
 * model is a 404. On Lambda one function serves both (`handler` dispatches by path).
 */
import { getBasics, getService, httpHandler, jsonResult, modelMetadata, notFound, policyAliases, servingModel } from './runtime/layer.ts';

function checkName(name: string | undefined): string {
  const { config } = getBasics();
  if (name !== config.MODEL_NAME) throw notFound(`model ${name} is not served here (this service serves ${config.MODEL_NAME})`);
  return name;
}

export const metadata = httpHandler({ route: 'GET /v2/models/{name}', errors: 'open-inference' }, async (event) => {
  const name = checkName(event.pathParameters?.name);
  const model = await servingModel();
  const { router } = await getService();
  const served = policyAliases(await router.policy())
    .map((alias) => router.provider(alias).peek()?.version)
    .filter((v): v is string => v !== undefined);
  return jsonResult(200, modelMetadata(name, [...new Set([model.version, ...served])], model.predictor.bundle.spec));
});

export const modelReady = httpHandler({ route: 'GET /v2/models/{name}/ready', errors: 'open-inference' }, async (event) => {
  const name = checkName(event.pathParameters?.name);
  try {
    await servingModel();
    return jsonResult(200, { name, ready: true });
  } catch {
    return jsonResult(400, { name, ready: false });
  }
});

export const handler: typeof metadata = (event, context) => ((event.rawPath ?? '').endsWith('/ready') ? modelReady(event, context) : metadata(event, context));
