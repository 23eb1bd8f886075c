/**
 * What s3rver lacks to be a store the control plane can trust, added in front of it in its own
 * process (the only writer path of its folder):
 *   - conditional writes: If-None-Match: * and If-Match on PUT (and DELETE), answered 412 as AWS
 *     S3 and MinIO answer them (s3rver ignores both headers);
 *   - atomic overwrites for readers: s3rver truncates an object's file and then writes it, so a
 *     concurrent GET could see a truncated or mixed body. Every request on one key holds that
 *     key's lock from its start to the end of its response, so a reader sees the whole old or
 *     the whole new object;
 *   - keys that stay inside the bucket's folder: no ".", ".." or empty segments (s3rver joins
 *     key segments into a file path) and lengths a file system can hold.
 */
import { Mutex } from 'async-mutex';
import { S3Error } from './s3rver-error.ts';

/** The part of Koa's context this middleware reads and writes. */
interface KoaContext {
  method: string;
  path: string;
  query: Record<string, unknown>;
  headers: Record<string, string | string[] | undefined>;
  res: { once(event: 'close', listener: () => void): unknown };
}
type Next = () => Promise<unknown>;

/** s3rver's file store: the one call needed to learn an object's current ETag. */
export interface EmbeddedStoreMetadata {
  getMetadata(bucket: string, key: string): Promise<{ etag: string }>;
}

/** S3 allows 1,024 bytes; each segment becomes a file name, which most file systems cap at 255. */
const MAX_KEY_BYTES = 1024;
const MAX_SEGMENT_BYTES = 200;

export function embeddedS3Guard(store: EmbeddedStoreMetadata): (ctx: KoaContext, next: Next) => Promise<unknown> {
  const locks = new Map<string, Mutex>();

  async function withKeyLock(id: string, ctx: KoaContext, work: () => Promise<unknown>): Promise<unknown> {
    let mutex = locks.get(id);
    if (!mutex) locks.set(id, (mutex = new Mutex()));
    // Listened for before waiting: a client that gives up while queued (an SDK at its timeout,
    // by the hundred after a pause) closes its response before the lock is ours, and a listener
    // added after the acquire would never hear it, leaving the key locked for good (seen in CI:
    // after a paused store resumed, every read of one alias timed out for minutes).
    let responseClosed = false;
    let onClose: () => void = () => (responseClosed = true);
    ctx.res.once('close', () => onClose());
    const release = await mutex.acquire();
    let released = false;
    const done = (): void => {
      if (released) return;
      released = true;
      release();
      if (!mutex.isLocked()) locks.delete(id);
    };
    if (responseClosed) {
      done(); // nobody is waiting for this answer: do not do the work either
      return undefined;
    }
    // Held until the response is written (a GET streams its body after the middleware returns).
    onClose = done;
    try {
      return await work();
    } catch (err) {
      done();
      throw err;
    }
  }

  return async (ctx, next) => {
    const target = objectTarget(ctx.path);
    if (!target) return next();
    checkKey(target.key);
    const write = isWrite(ctx);
    if (!write && ctx.method !== 'GET' && ctx.method !== 'HEAD') return next();
    return withKeyLock(`${target.bucket}/${target.key}`, ctx, async () => {
      if (write) await checkConditions(store, target.bucket, target.key, ctx.headers);
      return next();
    });
  };
}

function objectTarget(path: string): { bucket: string; key: string } | null {
  const match = /^\/([^/]+)\/(.+)$/.exec(path);
  if (!match) return null;
  try {
    return { bucket: decodeURIComponent(match[1]), key: decodeURIComponent(match[2]) };
  } catch {
    throw new S3Error('InvalidURI', "Couldn't parse the specified URI.");
  }
}

function checkKey(key: string): void {
  if (Buffer.byteLength(key) > MAX_KEY_BYTES) throw new S3Error('KeyTooLongError', 'Your key is too long');
  for (const segment of key.split('/')) {
    if (segment === '' || segment === '.' || segment === '..') {
      throw new S3Error(
        'InvalidArgument',
        'The embedded S3 server does not store keys with empty, "." or ".." path segments.',
        { ArgumentName: 'key' },
      );
    }
    if (Buffer.byteLength(segment) > MAX_SEGMENT_BYTES)
      throw new S3Error(
        'KeyTooLongError',
        `The embedded S3 server stores key segments of at most ${MAX_SEGMENT_BYTES} bytes.`,
      );
  }
}

/** PutObject, CopyObject, CompleteMultipartUpload and DeleteObject replace what a reader sees. */
function isWrite(ctx: KoaContext): boolean {
  const sub = (name: string): boolean => name in ctx.query;
  if (ctx.method === 'PUT') return !sub('uploadId') && !sub('tagging') && !sub('acl');
  if (ctx.method === 'DELETE') return !sub('uploadId') && !sub('tagging');
  if (ctx.method === 'POST') return sub('uploadId');
  return false;
}

async function checkConditions(
  store: EmbeddedStoreMetadata,
  bucket: string,
  key: string,
  headers: KoaContext['headers'],
): Promise<void> {
  const ifNoneMatch = header(headers['if-none-match']);
  const ifMatch = header(headers['if-match']);
  if (ifNoneMatch === undefined && ifMatch === undefined) return;
  const current = await currentEtag(store, bucket, key);
  if (ifNoneMatch !== undefined) {
    if (ifNoneMatch.trim() !== '*') throw new S3Error('NotImplemented', 'If-None-Match on writes supports only "*"');
    if (current !== null)
      throw new S3Error('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', {
        Condition: 'If-None-Match',
      });
  }
  if (ifMatch !== undefined) {
    if (current === null) throw new S3Error('NoSuchKey', 'The specified key does not exist.', { Key: key });
    const wanted = ifMatch.split(',').map(unquote);
    if (!wanted.includes('*') && !wanted.includes(unquote(current)))
      throw new S3Error('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', {
        Condition: 'If-Match',
      });
  }
}

async function currentEtag(store: EmbeddedStoreMetadata, bucket: string, key: string): Promise<string | null> {
  try {
    return (await store.getMetadata(bucket, key)).etag;
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') return null;
    throw err;
  }
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : value;
}

function unquote(etag: string): string {
  return etag.trim().replace(/^W\//, '').replace(/^"|"$/g, '');
}
