/**
 * GET /health: liveness and readiness. 200 when every alias the traffic policy routes to is
 * loaded and storage answers, else 503 with the reason; `?probe=live` answers 200 whenever the
 * process can answer at all.
 */
import { getService, httpHandler, jsonResult } from './runtime/layer.ts';

export const handler = httpHandler({ route: 'GET /health' }, async (event, state) => {
  if (event.queryStringParameters?.probe === 'live') return jsonResult(200, { status: 'alive', requestId: state.requestId });
  let storage: { reachable: boolean; latencyMs?: number; error?: string };
  let model = null;
  try {
    const service = await getService();
    const started = performance.now();
    try {
      await service.store.ping();
      storage = { reachable: true, latencyMs: Number((performance.now() - started).toFixed(1)) };
    } catch (err) {
      storage = { reachable: false, error: (err as Error).message };
    }
    // Loads the models on a cold container, so the first real request finds them warm.
    const policy = await service.router.policy();
    await Promise.all(policy.routes.map((r) => service.router.provider(r.alias).current().catch(() => undefined)));
    const status = service.router.status();
    const routed = new Set(policy.routes.filter((r) => r.weight > 0).map((r) => r.alias));
    const aliases = status.aliases;
    model = { ...aliases.find((a) => routed.has(a.alias))!, loaded: aliases.filter((a) => routed.has(a.alias)).every((a) => a.loaded), policy: status.policy.mode, aliases };
  } catch (err) {
    storage = { reachable: false, error: `service cannot start: ${(err as Error).message}` };
  }
  const ready = storage.reachable && model?.loaded === true;
  return jsonResult(ready ? 200 : 503, { status: ready ? 'ready' : 'not ready', live: true, ready, model, storage, requestId: state.requestId });
});
