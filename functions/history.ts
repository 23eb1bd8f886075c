/** GET /model/history[?alias=NAME] (admin): every alias move and traffic change, oldest first. */
import { badRequest, getBasics, getService, httpHandler, jsonResult, NAME_PATTERN } from './runtime/layer.ts';

export const handler = httpHandler({ route: 'GET /model/history', admin: true }, async (event, state) => {
  const { config } = getBasics();
  const { registry } = await getService();
  const alias = event.queryStringParameters?.alias;
  if (alias !== undefined && !NAME_PATTERN.test(alias)) throw badRequest('alias must be an alias name (letters, digits, ".", "_", "-")');
  const events = alias ? await registry.history(config.MODEL_NAME, alias) : await registry.history(config.MODEL_NAME);
  return jsonResult(200, { model: config.MODEL_NAME, events, requestId: state.requestId });
});
