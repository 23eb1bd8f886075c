/**
 * The functions behind a plain node:http server (the Knative container's entry point, and a
 * quick local server): `npm run serve` (node --import tsx scripts/serve.ts) with the same environment as the functions.
 * HOST (default 127.0.0.1; 0.0.0.0 in a container), PORT (default 8080), and
 * HTTP_HANDLER_TIMEOUT_SECONDS (default 30: a handler answers 504 just before it).
 */
import { createAdapter, listen } from '../functions/adapter/node-http.ts';
import { getBasics, shutdownService } from '../functions/runtime/service.ts';
import { acceptCommandLine } from './cli/command.ts';
import { SERVE } from './cli/commands/serve.ts';
import { onStopSignals } from './stop-signals.ts';

if (!acceptCommandLine(SERVE, process.argv.slice(2))) process.exit();

const { config, logger } = getBasics();
const server = createAdapter({ timeoutMs: Number(process.env.HTTP_HANDLER_TIMEOUT_SECONDS ?? 30) * 1000 });
const url = await listen(server, { host: process.env.HOST ?? '127.0.0.1', port: Number(process.env.PORT ?? 8080) });
logger.info(
  { 'log.logger': 'server', 'url.full': url },
  `serving ${config.MODEL_NAME} (${config.MODEL_ALIAS}) on ${url}`,
);
// Knative sends SIGTERM before it stops a pod: finish in-flight requests, write what is buffered, then exit.
onStopSignals(() => {
  server.close();
  void shutdownService().finally(() => process.exit(0));
});
