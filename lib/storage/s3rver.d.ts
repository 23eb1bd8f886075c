// s3rver ships no types; only what embedded-s3.ts uses.
declare module 's3rver' {
  interface S3rverOptions {
    address?: string;
    port?: number;
    directory: string;
    silent?: boolean;
    configureBuckets?: { name: string; configs?: unknown[] }[];
  }
  export default class S3rver {
    constructor(options: S3rverOptions);
    /** Koa's middleware stack (S3rver extends Koa); composed when the server starts listening. */
    middleware: unknown[];
    /** The file store behind the server. */
    store: import('./embedded-s3-guard.ts').EmbeddedStoreMetadata &
      import('./embedded-s3-atomic-put.ts').S3rverFileStore;
    /** The listening server, once run() resolved. */
    httpServer?: import('node:http').Server;
    run(): Promise<import('node:net').AddressInfo>;
    close(): Promise<void>;
  }
}
