/**
 * POST /model/promote (admin): {"alias", "version", "reason"?} moves an alias to a version that
 * verifies (every file's sha256 and the ensemble; 422 otherwise, 404 when there is no such
 * version). The move is a compare-and-swap: its event names the version it really replaced.
 */
import { aliasMoveSchema, getBasics, getService, httpHandler, invalidRequest, jsonResult } from './runtime/layer.ts';

export const handler = httpHandler({ route: 'POST /model/promote', body: true, admin: true }, async (_event, state) => {
  const parsed = aliasMoveSchema.required({ version: true }).safeParse(state.body);
  if (!parsed.success) throw invalidRequest('promote request', parsed.error);
  const { alias, version, reason, from } = parsed.data;
  const { config } = getBasics();
  const { registry, router } = await getService();
  const event = (await registry.moveAlias(config.MODEL_NAME, alias, version, { reason: reason ?? 'promoted through the admin API', actor: `admin-api ${state.requestId}`, ...(from ? { expectedFrom: from } : {}) }))!;
  await router.refreshAfterChange();
  state.logFields = { ...state.logFields, alias, 'model.version': version, 'event.id': event.eventId };
  return jsonResult(200, { event, refreshSeconds: config.ALIAS_REFRESH_SECONDS, requestId: state.requestId });
});
