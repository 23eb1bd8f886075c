/**
 * Retention where the store has no lifecycle engine (the embedded S3 server): housekeeping
 * deletes the day partitions older than the rule (lib/state/retention.ts) itself. It reads the
 * model's day folders (dayPartitions), lists only the expired days and deletes their objects,
 * oldest day first across captures, batch summaries, feedback and rollups, at most
 * `maxDeletes` per run: the rest waits for the next run (hourly). A run that meets a store
 * fault stops there and says so (what it deleted before, and the fault); deleting is
 * idempotent, so the next run picks up where it stopped. On AWS and MinIO the bucket's
 * lifecycle rules do this (RETENTION_ENFORCED_BY=store) and nothing here runs.
 *
 * Cost: the listings of the day folders (ObjectStore.listChildren) and of each expired day.
 * S3ObjectStore derives listChildren from a full listing of the folder (s3rver 3.7 returns
 * only the first common prefix), so there a run reads the keys still kept once; no key of a
 * day that is kept is ever read or deleted.
 */
import { dayPartitions, isDay } from '../state/layout.ts';
import { firstKeptDay, type RetainedData, type RetentionPeriods } from '../state/retention.ts';
import type { ObjectStore } from '../storage/object-store.ts';

export interface RetentionSweep {
  /** Objects deleted, by the data they held. */
  deleted: Record<RetainedData, number>;
  /** The expired day partitions emptied this run (parent folder and day). */
  days: string[];
  /** Expired objects left for the next run (the per-run cap was reached). */
  more: boolean;
  /** The fault that stopped the run, if one did (what was deleted before it stays deleted). */
  error?: Error;
}

const PERIOD: Record<RetainedData, keyof RetentionPeriods> = {
  captures: 'captureDays',
  feedback: 'feedbackDays',
  summaries: 'summaryDays',
};

export async function sweepExpired(
  store: ObjectStore,
  model: string,
  periods: RetentionPeriods,
  options: { now: number; maxDeletes: number },
): Promise<RetentionSweep> {
  const result: RetentionSweep = { deleted: { captures: 0, feedback: 0, summaries: 0 }, days: [], more: false };
  try {
    // Every expired day partition of the model, oldest first (ties: in layout order).
    const expired: { data: RetainedData; day: string; prefix: string; files: boolean }[] = [];
    for (const partition of dayPartitions(model)) {
      const firstKept = firstKeptDay(options.now, periods[PERIOD[partition.data]]);
      const children = partition.files
        ? (await store.list(partition.parent))
            .map((key) => key.slice(partition.parent.length))
            .filter((name) => name.endsWith('.json') && !name.includes('/'))
            .map((name) => name.slice(0, -'.json'.length))
        : await store.listChildren(partition.parent);
      for (const day of children) {
        if (isDay(day) && day < firstKept)
          expired.push({
            data: partition.data,
            day,
            prefix: `${partition.parent}${day}${partition.files ? '.json' : '/'}`,
            files: partition.files,
          });
      }
    }
    expired.sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
    let budget = options.maxDeletes;
    for (const [index, partition] of expired.entries()) {
      const objects = partition.files ? [partition.prefix] : await store.list(partition.prefix);
      const batch = objects.slice(0, budget);
      for (const key of batch) {
        await store.delete(key);
        budget -= 1;
        result.deleted[partition.data] += 1;
      }
      if (batch.length < objects.length) {
        result.more = true;
        break;
      }
      result.days.push(partition.prefix);
      if (budget === 0) {
        result.more = index < expired.length - 1;
        break;
      }
    }
  } catch (err) {
    result.error = err instanceof Error ? err : new Error(String(err));
  }
  return result;
}

/** What a housekeeping run did about retention. */
export type RetentionOutcome =
  | { enforcedBy: 'store' }
  | { enforcedBy: 'housekeeping'; deleted: Record<RetainedData, number>; days: number; more: boolean; error?: string };

/**
 * The last retention sweep of this container, for /health: a sweep that failed leaves the
 * service degraded (expired personal data is not being deleted) until one succeeds.
 */
export class RetentionMonitor {
  private last: { at: number; ok: boolean; error?: string; deleted: number } | null = null;

  record(outcome: RetentionOutcome, at: number): void {
    if (outcome.enforcedBy === 'store') return;
    const deleted = outcome.deleted.captures + outcome.deleted.feedback + outcome.deleted.summaries;
    this.last = {
      at,
      ok: outcome.error === undefined,
      ...(outcome.error !== undefined ? { error: outcome.error } : {}),
      deleted,
    };
  }

  status(): { status: 'ok' | 'failing' | 'not run'; lastRunAt?: string; deleted?: number; error?: string } {
    if (!this.last) return { status: 'not run' };
    return {
      status: this.last.ok ? 'ok' : 'failing',
      lastRunAt: new Date(this.last.at).toISOString(),
      deleted: this.last.deleted,
      ...(this.last.error !== undefined ? { error: this.last.error } : {}),
    };
  }
}
