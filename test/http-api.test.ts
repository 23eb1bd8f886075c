/** The API suite against the node:http adapter (the Knative container's server), in this process. */
import { createAdapter, listen } from '../functions/adapter/node-http.ts';
import { resetService } from '../functions/runtime/service.ts';
import { defineApiSuite } from './api-suite.ts';

defineApiSuite({
  name: 'node-http',
  async start(env) {
    Object.assign(process.env, env, { RETRAIN_RUNNER: 'child-process' });
    resetService();
    const server = createAdapter();
    const url = await listen(server, { port: 0 });
    return {
      url,
      stop: () => {
        resetService(); // stops the service's background refresh and capture timers
        return new Promise<void>((resolve) => server.close(() => resolve()));
      },
    };
  },
});
