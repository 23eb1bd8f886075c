/**
 * The storage everything needs, and nothing more: whole objects by key, each read with its
 * ETag, and writes that can be made conditional on it. One interface over AWS S3, MinIO and the
 * embedded server; every implementation passes the same conformance suite
 * (test/object-store-conformance.ts): conditional writes are honoured, and a reader sees an
 * overwritten object whole, old or new, never a mix.
 */
export interface StoredObject {
  bytes: Uint8Array;
  /** The store's entity tag of exactly these bytes; pass it back as `ifMatch` to compare-and-swap. */
  etag: string;
}

/**
 * `ifNoneMatch: '*'` creates: it fails when the key exists. `ifMatch` replaces: it fails when the
 * object is absent or is no longer the version read (another writer got there first).
 */
export type WriteCondition = { ifMatch: string } | { ifNoneMatch: '*' };

/** A write either happened (with the new ETag) or its condition failed; storage faults throw. */
/**
 * `answerLost`: the store resent this write after an earlier send's answer was lost, so the
 * failed condition may be that earlier send's own doing (lib/state/document-store.ts settles it).
 */
export type PutOutcome = { written: true; etag: string } | { written: false; answerLost?: true };

export interface PutOptions {
  contentType?: string;
  condition?: WriteCondition;
}

/** One page of a listing: keys in lexicographic order, and whether keys after the last one remain. */
export interface KeyPage {
  keys: string[];
  more: boolean;
}

export interface ListPageOptions {
  /** Only keys after this one (it need not exist). */
  startAfter?: string;
  /** At most this many keys (1 to 1,000, S3's own limit). */
  maxKeys: number;
}

export interface ObjectStore {
  /** The object and its ETag, or null when there is no such key. */
  get(key: string): Promise<StoredObject | null>;
  put(key: string, bytes: Uint8Array, options?: PutOptions): Promise<PutOutcome>;
  exists(key: string): Promise<boolean>;
  /** Keys under a prefix, in lexicographic order. */
  list(prefix: string): Promise<string[]>;
  /**
   * One page of the keys under a prefix, ascending: a reader that needs the first N keys after
   * some key pays for N, not for the whole prefix. A page may hold fewer than maxKeys with
   * `more` still true; ask again after its last key.
   */
  listPage(prefix: string, options: ListPageOptions): Promise<KeyPage>;
  /** The next path segment of every key under a prefix ("folders"), in order. */
  listChildren(prefix: string): Promise<string[]>;
  delete(key: string): Promise<void>;
  /** Cheap reachability check for readiness probes. */
  ping(): Promise<void>;
}

/**
 * Why a storage call failed, in words safe to show anyone (no host, port or file path):
 *   unavailable  refused, reset, timed out, or the store answered 5xx: retry later (HTTP 503)
 *   denied       credentials or permissions (HTTP 401/403 from the store)
 *   rejected     the store refused the request itself (another 4xx)
 */
export type StorageFailure = 'unavailable' | 'denied' | 'rejected';

export class StorageError extends Error {
  override name = 'StorageError';
  constructor(
    message: string,
    readonly failure: StorageFailure,
    /** The short, public reason ("connection refused", "timed out"), for /health. */
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isStorageUnavailable(err: unknown): err is StorageError {
  return err instanceof StorageError && err.failure === 'unavailable';
}
