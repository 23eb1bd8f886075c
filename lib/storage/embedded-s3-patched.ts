/**
 * s3rver 3.7.1 as published cannot page a listing on Node 17 and later: its ListObjectsV2
 * continuation tokens are DES-encrypted, OpenSSL 3 refuses DES, and every listing longer than a
 * page (1,000 keys, or MaxKeys) answers 500 InternalError. It also walked its folders out of key
 * order, so a page could end on a key that made the next page skip others.
 * patches/s3rver+3.7.1.patch fixes both; `npm install` and `npm ci` apply it (the root
 * postinstall runs patch-package). An install with --ignore-scripts leaves s3rver unpatched, and
 * the embedded server then refuses to start, naming the patch, instead of failing on the first
 * long listing.
 */
import { createRequire } from 'node:module';

/** What the patch exports from s3rver's bucket controller: its token format, both ways. */
export interface ContinuationTokenCodec {
  generateContinuationToken?: unknown;
  decipherContinuationToken?: unknown;
}

/** A key with what would trip a token: unicode, '+', '/', '=', '%', '&', a space, a line break. */
const PROBE_KEY = 'probe/ü 日本+/x=%&\n.json';

export function assertS3rverPatched(
  controller: ContinuationTokenCodec = createRequire(import.meta.url)(
    's3rver/lib/controllers/bucket',
  ) as ContinuationTokenCodec,
): void {
  const { generateContinuationToken: generate, decipherContinuationToken: decipher } = controller;
  let decoded: unknown;
  if (typeof generate === 'function' && typeof decipher === 'function') {
    try {
      decoded = decipher(generate('bucket', PROBE_KEY, 'us-east-1'));
    } catch {
      decoded = undefined;
    }
  }
  if (decoded !== `us-east-1/bucket/${PROBE_KEY}`) {
    throw new Error(
      'The embedded S3 server needs s3rver with patches/s3rver+3.7.1.patch applied, and the installed s3rver is not patched ' +
        '(its listings fail with 500 InternalError past one page on Node 17 and later). `npm install` or `npm ci` applies it ' +
        '(the postinstall step runs patch-package); after an install with --ignore-scripts, run `npx patch-package`.',
    );
  }
}
