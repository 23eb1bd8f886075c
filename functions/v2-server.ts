/**
 * The Open Inference Protocol's server routes: GET /v2 (server metadata), GET /v2/health/live
 * and GET /v2/health/ready. Ready means the default model's serving model is loaded or loads now; not ready is
 * a 4xx, as the protocol says (400, {"ready": false}). On Lambda one function serves the three
 * routes (`handler` dispatches by path); the node:http adapter calls each route's handler.
 */
import { httpHandler, jsonResult, requestedScope, servingModel } from './runtime/layer.ts';

/** The protocol's server name and version: this project's. */
const SERVER = { name: 'mlops-credit-score', version: '1', extensions: [] as string[] };

export const serverMetadata = httpHandler({ route: 'GET /v2', errors: 'open-inference' }, async () => jsonResult(200, SERVER));

export const live = httpHandler({ route: 'GET /v2/health/live', errors: 'open-inference' }, async () => jsonResult(200, { live: true }));

export const ready = httpHandler({ route: 'GET /v2/health/ready', errors: 'open-inference' }, async (event) => {
  try {
    await servingModel(await requestedScope(event));
    return jsonResult(200, { ready: true });
  } catch {
    return jsonResult(400, { ready: false });
  }
});

export const handler: typeof live = (event, context) => {
  const path = event.rawPath ?? '';
  if (path.endsWith('/health/live')) return live(event, context);
  if (path.endsWith('/health/ready')) return ready(event, context);
  return serverMetadata(event, context);
};
