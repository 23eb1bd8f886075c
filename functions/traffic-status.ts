/** GET /model/traffic: the traffic policy in force and the version each route serves. */
import { getBasics, getService, httpHandler, jsonResult } from './runtime/layer.ts';

export const handler = httpHandler({ route: 'GET /model/traffic' }, async (_event, state) => {
  const { config } = getBasics();
  const { registry, router } = await getService();
  const resolved = await router.policy();
  const versions = Object.fromEntries((await registry.listAliases(config.MODEL_NAME)).map((a) => [a.alias, a.version]));
  return jsonResult(200, {
    policy: resolved.policy,
    routes: resolved.routes.map((r) => ({ ...r, version: versions[r.alias] ?? null })),
    standby: resolved.standby.map((alias) => ({ alias, version: versions[alias] ?? null })),
    shadow: resolved.shadow ? { ...resolved.shadow, version: versions[resolved.shadow.alias] ?? null } : null,
    requestId: state.requestId,
  });
});
