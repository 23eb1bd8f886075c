/** ObjectStore over @aws-sdk/client-s3: AWS S3, MinIO and the embedded server with one configuration. */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { silenceNodeVersionWarning } from '../util/aws-sdk.ts';
import {
  StorageError,
  type KeyPage,
  type ListPageOptions,
  type ObjectStore,
  type PutOptions,
  type PutOutcome,
  type StoredObject,
} from './object-store.ts';

export interface S3StoreConfig {
  bucket: string;
  region: string;
  /** Custom endpoint (MinIO, the embedded server); unset for AWS S3. */
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Longest wait for a TCP connection (ms). */
  connectTimeoutMs?: number;
  /**
   * Longest a whole call may take, retries and body included (ms). A store that accepts the
   * connection and never answers (a paused process, a black-holed route) fails within this.
   */
  requestTimeoutMs?: number;
  /**
   * Where `ping` looks: it lists one key under this prefix (a right the service holds anyway)
   * instead of HeadBucket, which S3 authorises as a listing of the whole bucket.
   */
  probePrefix?: string;
}

/**
 * The waits before each resend of a conditional write whose connection was reset (0: one turn
 * of the event loop). A pool can hold many connections the store closed at once, and their
 * closes are not all seen in one turn: a connection closed by the store (FIN) leaves the pool
 * only once this side's own shutdown completes, a turn or more later, so one resend after one
 * turn still took a dead one (test/idle-connection-writes.test.ts: four kept-alive
 * connections closed while the thread was busy, a 600 KB create-only write failed twice).
 * Three resends within ~0.1 s: each failed one also takes a dead connection out of the pool.
 */
const CONDITIONAL_RESEND_WAITS_MS = [0, 20, 100];

export const DEFAULT_CONNECT_TIMEOUT_MS = 2_000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 5_000;

/**
 * The one client configuration that is safe everywhere. Custom endpoints get path-style URLs,
 * and checksums only when an operation requires them: with the SDK's default checksums a
 * streamed PutObject reaches s3rver with aws-chunked framing stored inside the object (100,045
 * bytes for 100,000), silently corrupting artifacts. Every attempt has a connect and a
 * request timeout; without them a hung store hangs its caller forever.
 */
export function createS3Client(config: S3StoreConfig, maxAttempts = 3): S3Client {
  silenceNodeVersionWarning();
  return new S3Client({
    region: config.region,
    ...(config.endpoint ? { endpoint: config.endpoint, forcePathStyle: true } : {}),
    ...(config.credentials ? { credentials: config.credentials } : {}),
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts,
    requestHandler: {
      connectionTimeout: config.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      requestTimeout: config.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
      throwOnRequestTimeout: true,
    },
  });
}

export class S3ObjectStore implements ObjectStore {
  readonly bucket: string;
  private readonly deadlineMs: number;

  /**
   * `conditionalClient` sends conditional writes, once: the SDK's own retry of a write whose
   * first attempt landed would meet its own ETag and read as a lost race (the caller, which
   * knows what it wrote, checks an unclear outcome itself: lib/state/document-store.ts).
   */
  constructor(
    private readonly client: S3Client,
    bucket: string,
    deadlineMs = DEFAULT_REQUEST_TIMEOUT_MS,
    private readonly conditionalClient: S3Client = client,
    private readonly probePrefix?: string,
  ) {
    this.bucket = bucket;
    this.deadlineMs = deadlineMs;
  }

  static fromConfig(config: S3StoreConfig): S3ObjectStore {
    return new S3ObjectStore(
      createS3Client(config),
      config.bucket,
      config.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
      createS3Client(config, 1),
      config.probePrefix,
    );
  }

  get(key: string): Promise<StoredObject | null> {
    return this.call(`get ${key}`, async (abortSignal) => {
      try {
        const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }), { abortSignal });
        const bytes = out.Body ? await out.Body.transformToByteArray() : new Uint8Array(0);
        return { bytes, etag: out.ETag ?? '' };
      } catch (err) {
        if (isNotFound(err)) return null;
        throw err;
      }
    });
  }

  /**
   * A conditional write is sent once by the client (see the constructor), and resent by this
   * method when its connection was lost before any answer, at most CONDITIONAL_RESEND_WAITS_MS
   * times: a kept-alive connection the store had closed while this process was busy (25 s of
   * training with no storage call, the store's keep-alive 5 s) is still handed out until the
   * event loop sees the close, and a request written on it fails with "connection reset" though
   * the store never read it. Only idempotent writes are resent: a create-only or compare-and-swap
   * write that landed makes its own resend fail its condition, and a refusal is settled by reading
   * the key back (this write's own bytes there mean it landed). A plain overwrite is resent by
   * the SDK's own retries (transient network errors, up to 3 attempts): sending the same bytes
   * to the same key again leaves the same object, and the one thing a resend can change, which
   * of two writers of one key comes last, a plain overwrite never promised.
   */
  async put(key: string, bytes: Uint8Array, options: PutOptions = {}): Promise<PutOutcome> {
    if (!options.condition) return this.putOnce(key, bytes, options);
    for (let resends = 0; ; resends++) {
      let outcome: PutOutcome;
      try {
        outcome = await this.putOnce(key, bytes, options);
      } catch (err) {
        if (
          !(err instanceof StorageError && err.reason === 'connection reset') ||
          resends === CONDITIONAL_RESEND_WAITS_MS.length
        )
          throw err;
        await pause(CONDITIONAL_RESEND_WAITS_MS[resends]);
        continue;
      }
      if (outcome.written || resends === 0) return outcome;
      const stored = await this.get(key);
      return stored && Buffer.from(stored.bytes).equals(Buffer.from(bytes))
        ? { written: true, etag: stored.etag }
        : { written: false, answerLost: true };
    }
  }

  private putOnce(key: string, bytes: Uint8Array, options: PutOptions): Promise<PutOutcome> {
    const condition = options.condition;
    const client = condition ? this.conditionalClient : this.client;
    return this.call(`put ${key}`, async (abortSignal) => {
      try {
        const out = await client.send(
          new PutObjectCommand({
            Bucket: this.bucket,
            Key: key,
            Body: bytes,
            ContentLength: bytes.byteLength,
            ContentType: options.contentType ?? 'application/octet-stream',
            ...(condition && 'ifMatch' in condition ? { IfMatch: condition.ifMatch } : {}),
            ...(condition && 'ifNoneMatch' in condition ? { IfNoneMatch: '*' } : {}),
          }),
          { abortSignal },
        );
        return { written: true as const, etag: out.ETag ?? '' };
      } catch (err) {
        // 412: the condition failed. 409 (AWS): a concurrent conditional write won. 404: If-Match on a
        // key that is gone. Each means "someone else changed it": the caller re-reads.
        if (
          condition &&
          err instanceof S3ServiceException &&
          [404, 409, 412].includes(err.$metadata.httpStatusCode ?? 0)
        )
          return { written: false as const };
        throw err;
      }
    });
  }

  exists(key: string): Promise<boolean> {
    return this.call(`head ${key}`, async (abortSignal) => {
      try {
        await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }), { abortSignal });
        return true;
      } catch (err) {
        if (isNotFound(err)) return false;
        throw err;
      }
    });
  }

  /** Every page under its own deadline: a long listing is many calls, not one. */
  async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const out = await this.call(`list ${prefix}`, (abortSignal) =>
        this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }), {
          abortSignal,
        }),
      );
      for (const item of out.Contents ?? []) if (item.Key) keys.push(item.Key);
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (token);
    return keys.sort();
  }

  /** One ListObjectsV2 call, under the same deadline as every other call. */
  async listPage(prefix: string, options: ListPageOptions): Promise<KeyPage> {
    const maxKeys = Math.max(1, Math.min(1000, Math.floor(options.maxKeys)));
    const out = await this.call(`list ${prefix}`, (abortSignal) =>
      this.client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: prefix,
          MaxKeys: maxKeys,
          ...(options.startAfter !== undefined ? { StartAfter: options.startAfter } : {}),
        }),
        { abortSignal },
      ),
    );
    const keys = (out.Contents ?? []).flatMap((item) => (item.Key ? [item.Key] : [])).sort();
    return { keys, more: out.IsTruncated === true };
  }

  async listChildren(prefix: string): Promise<string[]> {
    // Derived from the full listing, not from Delimiter/CommonPrefixes: s3rver 3.7 returns
    // only the first common prefix, and the registry must read the same on every store.
    const children = new Set<string>();
    for (const key of await this.list(prefix)) {
      const rest = key.slice(prefix.length);
      const slash = rest.indexOf('/');
      if (slash > 0) children.add(rest.slice(0, slash));
    }
    return [...children].sort();
  }

  delete(key: string): Promise<void> {
    return this.call(`delete ${key}`, async (abortSignal) => {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }), { abortSignal });
    });
  }

  ping(): Promise<void> {
    return this.call(`bucket ${this.bucket}`, async (abortSignal) => {
      if (this.probePrefix === undefined)
        await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }), { abortSignal });
      else
        await this.client.send(
          new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.probePrefix, MaxKeys: 1 }),
          { abortSignal },
        );
    });
  }

  /**
   * Runs one storage call under the overall deadline (the SDK's own timeouts are per attempt;
   * reading a body is not covered by them) and turns every failure into a StorageError.
   */
  private async call<T>(what: string, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(new DeadlineError());
      }, this.deadlineMs);
    });
    try {
      return await Promise.race([run(controller.signal), deadline]);
    } catch (err) {
      throw classify(err, what, this.deadlineMs);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Resumes after `ms` (0: after one turn of the event loop, when the closes already seen are handled). */
function pause(ms: number): Promise<void> {
  return new Promise((resolve) => (ms === 0 ? setImmediate(resolve) : setTimeout(resolve, ms)));
}

class DeadlineError extends Error {
  override name = 'DeadlineError';
}

function isNotFound(err: unknown): boolean {
  return (
    err instanceof S3ServiceException &&
    (err.$metadata.httpStatusCode === 404 || err.name === 'NoSuchKey' || err.name === 'NotFound')
  );
}

const NETWORK_REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection reset',
  ETIMEDOUT: 'timed out',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host not found',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
};

/** A StorageError whose message and reason never carry the store's host, port or a file path. */
export function classify(err: unknown, what: string, deadlineMs: number): StorageError {
  if (err instanceof StorageError) return err;
  const fail = (failure: StorageError['failure'], reason: string): StorageError =>
    new StorageError(`storage: ${what} failed: ${reason}`, failure, reason, { cause: err });
  if (err instanceof DeadlineError) return fail('unavailable', `timed out after ${deadlineMs} ms`);
  if (err instanceof Error && ['TimeoutError', 'AbortError', 'RequestTimeout'].includes(err.name)) {
    // The SDK reports a dropped connection as a TimeoutError too ("socket hang up").
    const code = networkCode(err);
    return fail(
      'unavailable',
      code
        ? (NETWORK_REASONS[code] ?? `network error (${code})`)
        : /hang up/i.test(err.message)
          ? 'connection reset'
          : 'timed out',
    );
  }
  if (err instanceof S3ServiceException) {
    const status = err.$metadata.httpStatusCode ?? 0;
    if (status >= 500 || status === 0 || err.name === 'SlowDown')
      return fail('unavailable', `the store answered ${status || 'nothing'} (${err.name})`);
    if (status === 401 || status === 403) return fail('denied', `access denied (${err.name})`);
    return fail('rejected', `the store refused the request: ${status} ${err.name}`);
  }
  const code = networkCode(err);
  if (code) return fail('unavailable', NETWORK_REASONS[code] ?? `network error (${code})`);
  return fail('unavailable', `unexpected failure (${err instanceof Error ? err.name : typeof err})`);
}

function networkCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^E[A-Z_]+$/.test(code)) return code;
    const errors = (e as { errors?: unknown[] }).errors; // AggregateError of happy-eyeballs connects
    if (Array.isArray(errors))
      for (const inner of errors)
        if (typeof (inner as { code?: unknown }).code === 'string') return (inner as { code: string }).code;
  }
  return undefined;
}
