/**
 * A publish that fails after writing some of a version's files (the store dropped out between
 * ensemble.bin and the manifest) removes what it wrote; when it cannot (the store is down), it
 * leaves the files, and housekeeping removes a version without a manifest once it is older than
 * INCOMPLETE_VERSION_MAX_AGE_HOURS (lib/retrain/housekeeping.ts). Either way the error says which,
 * in numbers, so the job that published can record it.
 */
import type { ObjectStore } from '../storage/object-store.ts';

/** What the clean-up of a failed publish did with the version's files. */
export interface PublishCleanup {
  version: string;
  removed: number;
  /** Files still in the store: housekeeping removes them after its grace period. */
  left: number;
}

export class PublishError extends Error {
  override name = 'PublishError';
  constructor(
    readonly cleanup: PublishCleanup,
    /** Why the publish failed (a StorageError when the store did). */
    readonly reason: unknown,
  ) {
    super(
      `publishing version ${cleanup.version} failed (${reason instanceof Error ? reason.message : String(reason)}); ${cleanupWords(cleanup)}`,
      { cause: reason },
    );
  }
}

/** "removed 5 files it wrote", "left 5 files for housekeeping", or both when the store dropped out midway. */
export function cleanupWords({ removed, left }: PublishCleanup): string {
  const files = (n: number): string => `${n} file${n === 1 ? '' : 's'}`;
  if (left === 0) return removed === 0 ? 'it had written no files' : `removed ${files(removed)} it wrote`;
  return `${removed > 0 ? `removed ${files(removed)}, ` : ''}left ${files(left)} for housekeeping`;
}

/**
 * Waits for every write (so none lands after a clean-up that follows), then fails with the
 * first failure, as Promise.all would have.
 */
export async function allWritten(writes: Promise<unknown>[]): Promise<void> {
  const failed = (await Promise.allSettled(writes)).find(
    (outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected',
  );
  if (failed) throw failed.reason;
}

/**
 * Deletes every file under a failed version's prefix, `first` (the manifest) before the rest, so
 * the version never reads as complete while it is being removed; stops at the first failure
 * (a store that is down would make each further delete wait out its timeout). A write whose
 * outcome was unclear may have landed, so the listing decides what is there; when the listing
 * fails, the files known to be written (`written`) are what is left.
 */
export async function removeFailedVersion(
  store: ObjectStore,
  version: string,
  prefix: string,
  first: string,
  written: number,
): Promise<PublishCleanup> {
  let files: string[];
  try {
    files = await store.list(prefix);
  } catch {
    return { version, removed: 0, left: written };
  }
  files.sort((a, b) => Number(b === first) - Number(a === first));
  let removed = 0;
  for (const key of files) {
    try {
      await store.delete(key);
    } catch {
      break;
    }
    removed += 1;
  }
  return { version, removed, left: files.length - removed };
}
