/**
 * POST /model/rollback (admin): {"alias", "version"?, "reason"?}. Without a version the alias
 * goes back to where its last move came from (read from the history); with one, to that version.
 */
import { aliasMoveSchema, conflict, getBasics, getService, httpHandler, jsonResult, notFound, previousTarget, unprocessable } from './runtime/layer.ts';

export const handler = httpHandler({ route: 'POST /model/rollback', body: true, admin: true }, async (_event, state) => {
  const parsed = aliasMoveSchema.safeParse(state.body);
  if (!parsed.success) throw unprocessable('invalid rollback request', parsed.error.issues.map((i) => ({ field: i.path.join('.') || '(body)', message: i.message })));
  const { alias, reason } = parsed.data;
  const { config } = getBasics();
  const { registry } = await getService();
  const current = await registry.getAlias(config.MODEL_NAME, alias);
  if (!current) throw notFound(`alias "${alias}" does not exist`);
  const target = parsed.data.version ?? (await previousTarget(registry, config.MODEL_NAME, current));
  if (!target) throw conflict(`alias "${alias}" has no earlier version to roll back to`);
  if (!(await registry.isComplete(config.MODEL_NAME, target))) throw notFound(`model ${config.MODEL_NAME} has no complete version ${target}`);
  const event = await registry.setAlias(config.MODEL_NAME, alias, target, { reason: reason ?? `rollback from ${current.version}`, actor: `admin-api ${state.requestId}`, details: { rolledBack: current.version, undoes: current.eventId } });
  state.logFields = { alias, 'model.version': target, 'event.id': event.eventId };
  return jsonResult(200, { event, refreshSeconds: config.ALIAS_REFRESH_SECONDS, requestId: state.requestId });
});
