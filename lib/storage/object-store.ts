/**
 * The storage the registry needs, and nothing more: whole objects by key. One interface over
 * AWS S3, MinIO and the embedded s3rver; tests and the local run use the real S3 protocol.
 */
export interface ObjectStore {
  /** The object's bytes, or null when there is no such key. */
  get(key: string): Promise<Uint8Array | null>;
  /**
   * Writes an object. With `ifAbsent`, refuses (returns false) when the key exists, where the
   * store supports conditional writes (AWS S3, MinIO); stores that ignore the condition
   * (s3rver) overwrite, so callers that need exclusivity must also verify by reading back.
   */
  put(key: string, bytes: Uint8Array, options?: { contentType?: string; ifAbsent?: boolean }): Promise<boolean>;
  exists(key: string): Promise<boolean>;
  /** Keys under a prefix, in lexicographic order. */
  list(prefix: string): Promise<string[]>;
  /** The next path segment of every key under a prefix ("folders"), in order. */
  listChildren(prefix: string): Promise<string[]>;
  delete(key: string): Promise<void>;
  /** Cheap reachability check for readiness probes. */
  ping(): Promise<void>;
}

export class StorageError extends Error {
  override name = 'StorageError';
}
