/**
 * POST /model/promote (admin): {"alias", "version", "reason"?, "from"?, "force"?, "dryRun"?}
 * moves an alias to a version that verifies (every file's sha256 and the ensemble; 422
 * otherwise, 404 when there is no such version) and whose contract (lib/registry/model-contract.ts)
 * equals the alias's current version's: 409 contract_mismatch naming each difference otherwise,
 * unless `force` with a reason (400 without one), which the history records with the differences.
 * The version must also pass the model's promotion policy (lib/release/promotion-policy.ts):
 * 409 policy_refused naming each failed gate otherwise; the same `force` with a reason moves it,
 * and the event's details.policy records the gates it failed. The move and its checks are one
 * compare-and-swap: its event names the version it really replaced. `dryRun` answers {dryRun,
 * from, to, differences, policy} (policy: the promotion policy's {revision, failed}, null
 * without one) and moves nothing. Under four eyes (the policy's `approvals` >= 2), a move of
 * the serving alias answers 202 with a change request instead (docs/four-eyes.md).
 */
import {
  actorOf,
  approvalView,
  badRequest,
  fileIfFourEyes,
  forceProblem,
  getBasics,
  getService,
  routeHandler,
  invalidRequest,
  jsonResult,
  requestedScope,
  promoteSchema,
  promotionGate,
} from './runtime/layer.ts';

export const handler = routeHandler('POST /model/promote', async (request, state) => {
  const parsed = promoteSchema.safeParse(state.body);
  if (!parsed.success) throw invalidRequest('promote request', parsed.error);
  const { alias, version, reason, from, force, dryRun } = parsed.data;
  const problem = forceProblem(parsed.data);
  if (problem) throw badRequest(problem);
  const { config } = getBasics();
  const { name: model, router } = await requestedScope(request);
  const { registry } = await getService();
  const gate = promotionGate(registry, model);
  if (dryRun) {
    const comparison = await registry.compareWithAlias(model, alias, version);
    return jsonResult(200, {
      dryRun: true,
      ...comparison,
      policy: await gate.version(version),
      requestId: state.requestId,
    });
  }
  const ask = {
    model,
    alias,
    to: version,
    reason: reason ?? 'promoted through the admin API',
    force: force ?? false,
    origin: 'promote' as const,
    ...(from ? { expectedFrom: from } : {}),
  };
  const filed = await fileIfFourEyes(registry, ask, state.principal, {
    servingAlias: config.MODEL_ALIAS,
    expiryHours: config.APPROVAL_EXPIRY_HOURS,
  });
  if (filed) return jsonResult(202, { request: approvalView(filed, Date.now()), requestId: state.requestId });
  const event = (await registry.moveAlias(model, alias, version, {
    reason: ask.reason,
    actor: actorOf(state),
    gate: gate.version,
    ...(from ? { expectedFrom: from } : {}),
    ...(force ? { force } : {}),
  }))!;
  await router.refreshAfterChange();
  state.logFields = { ...state.logFields, alias, 'model.version': version, 'event.id': event.eventId };
  return jsonResult(200, { event, refreshSeconds: config.ALIAS_REFRESH_SECONDS, requestId: state.requestId });
});
