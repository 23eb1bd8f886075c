/**
 * GET /model/policy (admin): the model's promotion policy in force, its revision (0: none was
 * ever stored, so no gate applies and one approval is needed) and since when; the ETag is the
 * revision, for PUT /model/policy's If-Match.
 */
import { getBasics, getService, httpHandler, jsonResult, NO_POLICY, PromotionPolicies } from './runtime/layer.ts';

export const handler = httpHandler({ route: 'GET /model/policy', admin: true }, async (_event, state) => {
  const { config } = getBasics();
  const { registry } = await getService();
  const doc = await new PromotionPolicies(registry.docs).get(config.MODEL_NAME);
  const revision = doc?.revision ?? 0;
  return jsonResult(200, { model: config.MODEL_NAME, policy: doc?.policy ?? NO_POLICY, revision, since: doc?.since ?? null, requestId: state.requestId }, { etag: `"${revision}"` });
});
