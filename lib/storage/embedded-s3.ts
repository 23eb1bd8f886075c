/**
 * The embedded S3 server for laptops and tests: s3rver in this process, bound to 127.0.0.1,
 * data in a local folder (kept across restarts), buckets created on start, with what it needs to
 * behave as AWS S3 and MinIO do for the state layer: conditional writes and per-key isolation
 * (embedded-s3-guard.ts), PUTs that answer only once the object is whole on disk
 * (embedded-s3-atomic-put.ts), and listings of any length, paged in key order (s3rver patched by
 * patches/s3rver+3.7.1.patch; it refuses to start without the patch: embedded-s3-patched.ts).
 */
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import S3rver from 's3rver';
import { useAtomicPuts } from './embedded-s3-atomic-put.ts';
import { embeddedS3Guard } from './embedded-s3-guard.ts';
import { assertS3rverPatched } from './embedded-s3-patched.ts';

export interface EmbeddedS3 {
  endpoint: string;
  port: number;
  close(): Promise<void>;
}

export async function startEmbeddedS3(options: {
  directory: string;
  port?: number;
  buckets: string[];
}): Promise<EmbeddedS3> {
  assertS3rverPatched();
  mkdirSync(options.directory, { recursive: true });
  const server = new S3rver({
    address: '127.0.0.1',
    port: options.port ?? 0,
    directory: options.directory,
    silent: true,
    configureBuckets: options.buckets.map((name) => ({ name })),
  });
  useAtomicPuts(server.store);
  // Right after s3rver's request logger, before its router: every object request passes the guard.
  server.middleware.splice(1, 0, embeddedS3Guard(server.store));
  const address = (await server.run()) as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    port: address.port,
    close: async () => {
      const closing = server.close();
      // Clients keep connections alive; stopping means stopping, not waiting for them to leave.
      server.httpServer?.closeAllConnections();
      await closing;
    },
  };
}
