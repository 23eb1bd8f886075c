/**
 * The real handlers behind the node:http adapter, in the test's own process, configured by the
 * environment it sets: what a test of the HTTP API that also reaches into the service (its
 * buffers, its registry) starts. Closing resets the service so the next file starts clean.
 */
import { createAdapter, listen } from '../functions/adapter/node-http.ts';
import { resetService } from '../functions/runtime/service.ts';

export interface InProcessApi {
  url: string;
  close(): Promise<void>;
}

export async function startInProcessApi(env: Record<string, string>): Promise<InProcessApi> {
  Object.assign(process.env, env);
  resetService();
  const server = createAdapter();
  const url = await listen(server, { port: 0 });
  return {
    url,
    close: async () => {
      resetService();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
