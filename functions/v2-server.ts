/**
 * The Open Inference Protocol's server routes: GET /v2 (server metadata), GET /v2/health/live
 * and GET /v2/health/ready. Ready means the default model's serving model is loaded or loads now; not ready is
 * a 4xx, as the protocol says (400, {"ready": false}). On Lambda one function serves the three
 * routes (`handler` dispatches by path); the node:http adapter calls each route's handler.
 */
import { byRoute, routeHandler, jsonResult, requestedScope, servingModel } from './runtime/layer.ts';

/** The protocol's server name and version: this project's. */
const SERVER = { name: 'mlops-credit-score', version: '1', extensions: [] as string[] };

export const serverMetadata = routeHandler('GET /v2', async () => jsonResult(200, SERVER));

export const live = routeHandler('GET /v2/health/live', async () => jsonResult(200, { live: true }));

export const ready = routeHandler('GET /v2/health/ready', async (event) => {
  try {
    await servingModel(await requestedScope(event));
    return jsonResult(200, { ready: true });
  } catch {
    return jsonResult(400, { ready: false });
  }
});

export const handler = byRoute(serverMetadata, live, ready);
