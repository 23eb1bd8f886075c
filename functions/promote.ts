/** POST /model/promote (admin): {"alias", "version", "reason"?} moves an alias to a complete version. */
import { aliasMoveSchema, getBasics, getService, httpHandler, jsonResult, notFound, unprocessable } from './runtime/layer.ts';

export const handler = httpHandler({ route: 'POST /model/promote', body: true, admin: true }, async (_event, state) => {
  const parsed = aliasMoveSchema.required({ version: true }).safeParse(state.body);
  if (!parsed.success) throw unprocessable('invalid promote request', parsed.error.issues.map((i) => ({ field: i.path.join('.') || '(body)', message: i.message })));
  const { alias, version, reason } = parsed.data;
  const { config } = getBasics();
  const { registry } = await getService();
  if (!(await registry.isComplete(config.MODEL_NAME, version))) throw notFound(`model ${config.MODEL_NAME} has no complete version ${version}`);
  const event = await registry.setAlias(config.MODEL_NAME, alias, version, { reason: reason ?? 'promoted through the admin API', actor: `admin-api ${state.requestId}` });
  state.logFields = { alias, 'model.version': version, 'event.id': event.eventId };
  return jsonResult(200, { event, refreshSeconds: config.ALIAS_REFRESH_SECONDS, requestId: state.requestId });
});
