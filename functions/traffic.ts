/**
 * PUT /model/traffic (admin): sets the traffic policy (single, ab, canary, bluegreen, shadow).
 * 422 when it is malformed, its weights do not sum to 100, or it names an alias that does not
 * exist. The change is a compare-and-swap that makes a new revision, recorded in the history
 * with its reason (x-change-reason header); a stored policy that cannot be read is replaced.
 * An alias the change brings in whose version's contract differs from the primary route's
 * (lib/registry/model-contract.ts) is refused with 409 contract_mismatch naming each difference;
 * ?force=true with a reason in x-change-reason sets it anyway (400 without one), and the history
 * records the differences. A canary started on a new challenger, or a blue-green switch to an
 * alias that was not serving, must pass the promotion policy (lib/release/promotion-gate.ts):
 * 409 policy_refused naming each failed gate, or the same ?force=true with a reason. Under
 * four eyes, a change that can end in a champion move without a second principal is refused:
 * 409 approval_required (lib/governance/approval-traffic.ts).
 */
import {
  actorOf,
  badRequest,
  completePendingPromotion,
  forceProblem,
  fourEyesTrafficGate,
  getBasics,
  getService,
  routeHandler,
  invalidRequest,
  jsonResult,
  requestedScope,
  policyAliases,
  policyProblems,
  promotionGate,
  resolvePolicy,
  trafficPolicySchema,
  unprocessable,
} from './runtime/layer.ts';

export const handler = routeHandler('PUT /model/traffic', async (event, state) => {
  const parsed = trafficPolicySchema.safeParse(state.body);
  if (!parsed.success) throw invalidRequest('traffic policy', parsed.error);
  const policy = parsed.data;
  const header = event.headers?.['x-change-reason'];
  const force = event.queryStringParameters?.force === 'true';
  const forced = forceProblem({ force, ...(header !== undefined ? { reason: header } : {}) });
  if (forced) throw badRequest(`${forced} (in the x-change-reason header)`);
  const { config } = getBasics();
  const { name: model, router } = await requestedScope(event);
  const { registry } = await getService();
  const problems = policyProblems(policy);
  const aliases = policyAliases(resolvePolicy(policy));
  const found = await Promise.all(aliases.map((alias) => registry.getAlias(model, alias)));
  aliases.forEach((alias, i) => {
    if (!found[i])
      problems.push({ field: 'alias', message: `alias "${alias}" does not exist: promote a version to it first` });
  });
  if (problems.length)
    throw unprocessable(
      `invalid traffic policy: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`,
      problems,
    );
  // A canary promotion decided but not yet carried out is finished first: this change would drop it.
  await completePendingPromotion(registry, model);
  const reason = (header ?? 'set through the admin API').slice(0, 500);
  const doc = (await registry.changeTraffic(model, () => ({ policy, reason, actor: actorOf(state) }), {
    replaceUnreadable: true,
    force,
    defaultAlias: config.MODEL_ALIAS,
    gate: fourEyesTrafficGate(registry, model, config.MODEL_ALIAS, promotionGate(registry, model).traffic),
  }))!;
  await router.refreshAfterChange();
  state.logFields = {
    ...state.logFields,
    'traffic.mode': policy.mode,
    'traffic.revision': doc.revision,
    'event.id': doc.event.eventId,
  };
  return jsonResult(200, {
    policy,
    revision: doc.revision,
    routes: resolvePolicy(policy).routes,
    eventId: doc.event.eventId,
    refreshSeconds: config.ALIAS_REFRESH_SECONDS,
    requestId: state.requestId,
  });
});
