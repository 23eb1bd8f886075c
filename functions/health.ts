/**
 * GET /health: liveness and readiness. 200 when a model is loaded and storage answers, else 503
 * with the reason; `?probe=live` answers 200 whenever the process can answer at all.
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
    // Loads the model on a cold container, so the first real request finds it warm.
    await service.provider.current().catch(() => undefined);
    model = service.provider.status();
  } catch (err) {
    storage = { reachable: false, error: `service cannot start: ${(err as Error).message}` };
  }
  const ready = storage.reachable && model?.loaded === true;
  return jsonResult(ready ? 200 : 503, { status: ready ? 'ready' : 'not ready', live: true, ready, model, storage, requestId: state.requestId });
});
