/**
 * The functions behind a plain node:http server (the Knative container's entry point, and a
 * quick local server): `tsx scripts/serve.ts` with the same environment as the functions.
 * HOST (default 127.0.0.1; 0.0.0.0 in a container) and PORT (default 8080).
 */
import { createAdapter, listen } from '../functions/adapter/node-http.ts';
import { getBasics } from '../functions/runtime/service.ts';

const { config, logger } = getBasics();
const server = createAdapter({ maxBodyBytes: config.MAX_BODY_BYTES });
const url = await listen(server, { host: process.env.HOST ?? '127.0.0.1', port: Number(process.env.PORT ?? 8080) });
logger.info({ 'log.logger': 'server', 'url.full': url }, `serving ${config.MODEL_NAME} (${config.MODEL_ALIAS}) on ${url}`);
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  // Knative sends SIGTERM before it stops a pod: finish in-flight requests, then exit.
  process.once(signal, () => server.close(() => process.exit(0)));
}
