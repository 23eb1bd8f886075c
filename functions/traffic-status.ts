/**
 * GET /model/traffic (`?model=`, else the default model): the traffic policy in force in this container, its revision, and the
 * version each route really serves here (never a version that was refused: that one is shown
 * as the alias's `pointer`, with why it does not serve). Answered from memory.
 */
import { routeHandler, jsonResult, requestedScope } from './runtime/layer.ts';

export const handler = routeHandler('GET /model/traffic', async (event, state) => {
  const { name, router } = await requestedScope(event);
  const resolved = await router.policy();
  const status = router.status();
  const byAlias = new Map(status.aliases.map((a) => [a.alias, a]));
  const serving = (alias: string): Record<string, unknown> => {
    const a = byAlias.get(alias);
    return {
      version: a?.version ?? null,
      ...(a?.pointer ? { pointer: a.pointer, notServing: a.lastError?.message ?? 'not loaded yet' } : {}),
    };
  };
  return jsonResult(200, {
    model: name,
    policy: resolved.policy,
    revision: status.revision,
    routes: resolved.routes.map((r) => ({ ...r, ...serving(r.alias) })),
    standby: resolved.standby.map((alias) => ({ alias, ...serving(alias) })),
    shadow: resolved.shadow ? { ...resolved.shadow, ...serving(resolved.shadow.alias) } : null,
    ...(status.policyError ? { policyError: status.policyError } : {}),
    requestId: state.requestId,
  });
});
