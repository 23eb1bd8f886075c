/**
 * Is the store answering? For /health, which must answer fast even when the store does not (a
 * readiness probe has a second or so): one ping at a time, its result reused for `maxAgeMs`,
 * and a caller waits at most `maxWaitMs` for a fresh one; no answer by then is the answer.
 */
import { publicReason } from './public-reason.ts';
import type { ObjectStore } from '../storage/object-store.ts';

export interface StorageStatus {
  reachable: boolean;
  latencyMs?: number;
  /** Why not, in public words (no host, port or path). */
  reason?: string;
  checkedAt: string;
}

export class StorageProbe {
  private last: { status: StorageStatus; at: number } | null = null;
  private pending: Promise<void> | null = null;

  constructor(
    private readonly store: ObjectStore,
    private readonly maxWaitMs = 1000,
    private readonly maxAgeMs = 2000,
  ) {}

  async status(): Promise<StorageStatus> {
    if (this.last && Date.now() - this.last.at < this.maxAgeMs) return this.last.status;
    this.pending ??= this.ping().finally(() => (this.pending = null));
    const startedAt = Date.now();
    await Promise.race([this.pending, new Promise((resolve) => setTimeout(resolve, this.maxWaitMs).unref())]);
    if (this.last && this.last.at >= startedAt) return this.last.status;
    return {
      reachable: false,
      reason: `storage unavailable: no answer within ${this.maxWaitMs} ms`,
      checkedAt: new Date().toISOString(),
    };
  }

  private async ping(): Promise<void> {
    const started = performance.now();
    let status: StorageStatus;
    try {
      await this.store.ping();
      status = {
        reachable: true,
        latencyMs: Number((performance.now() - started).toFixed(1)),
        checkedAt: new Date().toISOString(),
      };
    } catch (err) {
      status = { reachable: false, reason: publicReason(err), checkedAt: new Date().toISOString() };
    }
    this.last = { status, at: Date.now() };
  }
}
