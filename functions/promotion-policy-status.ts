/**
 * GET /model/policy (admin): the model's promotion policy in force, its revision (0: none was
 * ever stored, so no gate applies and one approval is needed) and since when; the ETag is the
 * revision, for PUT /model/policy's If-Match.
 */
import { getService, routeHandler, jsonResult, knownModel, NO_POLICY, PromotionPolicies } from './runtime/layer.ts';

export const handler = routeHandler('GET /model/policy', async (event, state) => {
  const model = await knownModel(event);
  const { registry } = await getService();
  const doc = await new PromotionPolicies(registry.docs).get(model);
  const revision = doc?.revision ?? 0;
  return jsonResult(
    200,
    { model: model, policy: doc?.policy ?? NO_POLICY, revision, since: doc?.since ?? null, requestId: state.requestId },
    { etag: `"${revision}"` },
  );
});
