/**
 * GET /health[?model=NAME]: liveness and readiness of the default model (or the one named). Ready (200) when every alias the traffic policy routes
 * to has a model serving; then "status" is "ready", or "degraded" with its reasons when
 * something behind the answers is wrong (storage unreachable, a fallback version serving, the
 * policy unreadable, captures not being written, the last retention sweep failed). Not ready (503) when no model serves a
 * routed alias; the other models this container serves add their background failures to the
 * reasons and are listed under `models`. `?probe=live` answers 200 whenever the process can answer at all. Reasons
 * never name hosts, ports or paths; it answers within about a second even when storage hangs.
 */
import { getService, routeHandler, jsonResult, requestedModel } from './runtime/layer.ts';

export const handler = routeHandler('GET /health', async (event, state) => {
  if (event.queryStringParameters?.probe === 'live')
    return jsonResult(200, { status: 'alive', requestId: state.requestId });
  let service;
  try {
    service = await getService();
  } catch {
    return jsonResult(503, {
      status: 'not ready',
      live: true,
      ready: false,
      reasons: ['the service cannot start: its configuration or secrets are unavailable'],
      requestId: state.requestId,
    });
  }
  const scope = await service.models.get(requestedModel(event));
  const storage = await service.storageProbe.status();
  // On a cold container this loads the models, so the first real request finds them warm;
  // warm, it answers from memory. A cold load waits at most the store's timeouts.
  const policy = await scope.router.policy();
  const routed = [...new Set(policy.routes.filter((r) => r.weight > 0).map((r) => r.alias))];
  await Promise.all(
    routed.map((alias) =>
      scope.router
        .provider(alias)
        .current()
        .catch(() => undefined),
    ),
  );
  const router = scope.router.status();
  const serving = router.aliases.filter((a) => routed.includes(a.alias));
  const capture = scope.capture.status();
  const retention = service.retention.status();
  const reasons: string[] = [];
  for (const a of serving) {
    if (!a.loaded)
      reasons.push(`alias ${a.alias} has no model serving${a.lastError ? `: ${a.lastError.message}` : ''}`);
    else if (a.fallback) reasons.push(a.fallback.reason);
    else if (a.pointer)
      reasons.push(
        `alias ${a.alias} points at ${a.pointer}, which is not serving${a.lastError ? ` (${a.lastError.message})` : ''}; ${a.version} serves`,
      );
  }
  if (!storage.reachable) reasons.push(storage.reason ?? 'storage unreachable');
  if (router.policyError)
    reasons.push(`traffic policy unreadable, the last one read stays in force: ${router.policyError.message}`);
  if (capture.status === 'degraded')
    reasons.push(
      `captured predictions are not being written (${capture.pending} waiting, ${capture.dropped} dropped): ${capture.lastError?.message}`,
    );
  // The other models this container serves: their background failures degrade it too.
  const others = service.models.started().filter((s) => s !== scope);
  for (const other of others) {
    const status = other.router.status();
    const held = other.capture.status();
    if (status.policyError)
      reasons.push(
        `model ${other.name}: traffic policy unreadable, the last one read stays in force: ${status.policyError.message}`,
      );
    if (held.status === 'degraded')
      reasons.push(
        `model ${other.name}: captured predictions are not being written (${held.pending} waiting, ${held.dropped} dropped): ${held.lastError?.message}`,
      );
  }
  if (retention.status === 'failing')
    reasons.push(
      `expired captures and feedback are not being deleted: the last retention sweep failed (${retention.error})`,
    );
  const ready = serving.length > 0 && serving.every((a) => a.loaded);
  const primary = serving[0] ?? router.aliases[0];
  const model = primary
    ? { ...primary, loaded: ready, policy: router.policy.mode, revision: router.revision, aliases: router.aliases }
    : null;
  return jsonResult(ready ? 200 : 503, {
    status: !ready ? 'not ready' : reasons.length ? 'degraded' : 'ready',
    live: true,
    ready,
    ...(reasons.length ? { reasons } : {}),
    model,
    // Every model this container has served since it started (the default first): name, and whether each routed alias has a model.
    models: service.models
      .started()
      .map((s) => ({ name: s.name, loaded: s.router.status().aliases.every((a) => a.loaded) })),
    storage,
    capture,
    retention,
    requestId: state.requestId,
  });
});
