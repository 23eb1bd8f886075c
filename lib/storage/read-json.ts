/**
 * A small JSON object from the store, or null when absent. An object being overwritten at this
 * moment can read truncated on stores whose writes are not atomic (s3rver truncates, then
 * writes; AWS S3 and MinIO never show a partial object): a read that does not parse is retried
 * briefly before it counts as corrupt.
 */
import { StorageError, type ObjectStore } from './object-store.ts';

export async function readJson<T>(store: ObjectStore, key: string, attempts = 6): Promise<T | null> {
  for (let attempt = 1; ; attempt++) {
    const bytes = await store.get(key);
    if (!bytes) return null;
    try {
      return JSON.parse(new TextDecoder().decode(bytes)) as T;
    } catch (err) {
      if (attempt >= attempts) throw new StorageError(`${key} is not valid JSON: ${(err as Error).message}`);
      await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
    }
  }
}
