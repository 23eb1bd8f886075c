/**
 * PUT /model/traffic (admin): sets the traffic policy (single, ab, canary, bluegreen, shadow).
 * 422 when it is malformed, its weights do not sum to 100, or it names an alias that does not
 * exist. The change is recorded in the history with its reason (x-change-reason header).
 */
import { getBasics, getService, httpHandler, jsonResult, policyAliases, policyProblems, resolvePolicy, trafficPolicySchema, unprocessable } from './runtime/layer.ts';

export const handler = httpHandler({ route: 'PUT /model/traffic', body: true, admin: true }, async (event, state) => {
  const parsed = trafficPolicySchema.safeParse(state.body);
  if (!parsed.success) {
    const details = parsed.error.issues.map((i) => ({ field: i.path.join('.') || '(body)', message: i.code === 'unrecognized_keys' ? `unknown field(s): ${i.keys.join(', ')}` : i.message }));
    throw unprocessable(`invalid traffic policy: ${details.map((d) => `${d.field}: ${d.message}`).join('; ')}`, details);
  }
  const policy = parsed.data;
  const { config } = getBasics();
  const { registry } = await getService();
  const problems = policyProblems(policy);
  for (const alias of policyAliases(resolvePolicy(policy))) {
    if (!(await registry.getAlias(config.MODEL_NAME, alias))) problems.push({ field: 'alias', message: `alias "${alias}" does not exist: promote a version to it first` });
  }
  if (problems.length) throw unprocessable(`invalid traffic policy: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`, problems);
  const change = await registry.setTrafficPolicy(config.MODEL_NAME, policy, { reason: event.headers?.['x-change-reason'] ?? 'set through the admin API', actor: `admin-api ${state.requestId}` });
  state.logFields = { 'traffic.mode': policy.mode, 'event.id': change.eventId };
  return jsonResult(200, { policy, routes: resolvePolicy(policy).routes, eventId: change.eventId, refreshSeconds: config.ALIAS_REFRESH_SECONDS, requestId: state.requestId });
});
