/** POST /model/canary/check (admin): runs the canary controller now and answers its decision. */
import { getBasics, getService, httpHandler, jsonResult, runCanaryCheck } from './runtime/layer.ts';

export const handler = httpHandler({ route: 'POST /model/canary/check', admin: true }, async (_event, state) => {
  const { config } = getBasics();
  const { registry, store } = await getService();
  const result = await runCanaryCheck(registry, store, config.MODEL_NAME);
  state.logFields = { 'canary.decision': result.decision?.action ?? 'none' };
  return jsonResult(200, { ...result, requestId: state.requestId });
});
