/**
 * PUT /model/policy (admin): stores the model's promotion policy (lib/release/promotion-policy.ts),
 * the body being the policy with an optional `reason`. 422 naming each bad field. The change is
 * a compare-and-swap that makes a new revision, recorded in the history with who and why; with
 * an If-Match header holding the revision read (GET /model/policy's ETag), it is made only if
 * the policy is still at that revision (409 otherwise), so two editors cannot overwrite each other.
 */
import {
  actorOf,
  badRequest,
  getService,
  routeHandler,
  invalidRequest,
  jsonResult,
  knownModel,
  PromotionPolicies,
  promotionPolicyRequestSchema,
} from './runtime/layer.ts';

/** An If-Match value as GET /model/policy's ETag gives it ("3", also bare or weak): the revision. */
function expectedRevision(header: string | undefined): number | undefined {
  if (header === undefined) return undefined;
  const match = /^(?:W\/)?"?(\d{1,9})"?$/.exec(header.trim());
  if (!match)
    throw badRequest('If-Match must be the revision of the policy read (the ETag of GET /model/policy, e.g. "3")');
  return Number(match[1]);
}

export const handler = routeHandler('PUT /model/policy', async (event, state) => {
  const parsed = promotionPolicyRequestSchema.safeParse(state.body);
  if (!parsed.success) throw invalidRequest('promotion policy', parsed.error);
  const { reason, ...policy } = parsed.data;
  const expected = expectedRevision(event.headers?.['if-match']);
  const model = await knownModel(event);
  const { registry } = await getService();
  const doc = await new PromotionPolicies(registry.docs).set(model, {
    policy,
    reason: reason?.trim() || 'set through the admin API',
    actor: actorOf(state),
    ...(expected !== undefined ? { expectedRevision: expected } : {}),
  });
  state.logFields = { ...state.logFields, 'policy.revision': doc.revision, 'event.id': doc.event.eventId };
  return jsonResult(
    200,
    {
      model: model,
      policy: doc.policy,
      revision: doc.revision,
      since: doc.since,
      eventId: doc.event.eventId,
      requestId: state.requestId,
    },
    { etag: `"${doc.revision}"` },
  );
});
