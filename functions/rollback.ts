/**
 * POST /model/rollback (admin): {"alias", "version"?, "reason"?, "from"?, "force"?}. Without a
 * version the alias steps back one move in its own history (a second rollback goes a step further
 * back, never forward: lib/release/alias-moves.ts), chosen in the same compare-and-swap as the
 * move; with one, to that version; with `from`, only if the alias still points there (409). The
 * target must verify (422) and have the current version's contract (409 contract_mismatch, unless
 * `force` with a reason: 400 without one). Under four eyes (the policy's `approvals` >= 2) a
 * rollback of the serving alias to a given version answers 202 with a change request; the step
 * back one move stays one principal's, as incident response (docs/four-eyes.md).
 */
import {
  actorOf,
  aliasMoveSchema,
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
  rollbackTarget,
} from './runtime/layer.ts';

export const handler = routeHandler('POST /model/rollback', async (request, state) => {
  const parsed = aliasMoveSchema.safeParse(state.body);
  if (!parsed.success) throw invalidRequest('rollback request', parsed.error);
  const { alias, version, reason, from, force } = parsed.data;
  const problem = forceProblem(parsed.data);
  if (problem) throw badRequest(problem);
  const { config } = getBasics();
  const { name: model, router } = await requestedScope(request);
  const { registry } = await getService();
  const why = reason ?? 'rolled back through the admin API';
  if (version) {
    const filed = await fileIfFourEyes(
      registry,
      {
        model,
        alias,
        to: version,
        reason: why,
        force: force ?? false,
        origin: 'rollback',
        ...(from ? { expectedFrom: from } : {}),
      },
      state.principal,
      { servingAlias: config.MODEL_ALIAS, expiryHours: config.APPROVAL_EXPIRY_HOURS },
    );
    if (filed) return jsonResult(202, { request: approvalView(filed, Date.now()), requestId: state.requestId });
  }
  const target = version ?? rollbackTarget(registry, model, alias);
  const event = (await registry.moveAlias(model, alias, target, {
    reason: why,
    actor: actorOf(state),
    ...(from ? { expectedFrom: from } : {}),
    ...(force ? { force } : {}),
  }))!;
  await router.refreshAfterChange();
  state.logFields = { ...state.logFields, alias, 'model.version': event.to, 'event.id': event.eventId };
  return jsonResult(200, { event, refreshSeconds: config.ALIAS_REFRESH_SECONDS, requestId: state.requestId });
});
