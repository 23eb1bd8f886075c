/**
 * A lock in object storage that expires: one retrain at a time across every container. The
 * lock is a document changed only by compare-and-swap: it is taken when absent, released or
 * expired; its holder renews it while it works (heartbeats) and releases it by marking it
 * released. Two hosts racing for it cannot both win: the loser's swap fails on the ETag the
 * winner changed, and on its retry it sees the lock held.
 */
import { randomUUID } from 'node:crypto';
import type { DocumentStore } from '../state/document-store.ts';
import { lockRecordSchema, type LockRecord } from '../state/schemas.ts';

export type { LockRecord };
export type LockAttempt = { acquired: true; token: string } | { acquired: false; holder: LockRecord | null };

export class StorageLock {
  constructor(
    private readonly docs: DocumentStore,
    readonly key: string,
    readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes the lock for `owner` (e.g. a job id) unless someone holds it and it has not expired. */
  async acquire(owner: string): Promise<LockAttempt> {
    const token = randomUUID();
    return this.docs.update<typeof lockRecordSchema, LockAttempt>(
      this.key,
      lockRecordSchema,
      (current) => {
        if (current && this.held(current.value))
          return { keep: true, result: { acquired: false as const, holder: current.value } };
        const at = this.now();
        const record: LockRecord = {
          owner,
          token,
          acquiredAt: new Date(at).toISOString(),
          expiresAt: new Date(at + this.ttlMs).toISOString(),
          released: false,
        };
        return { write: record, result: { acquired: true as const, token } };
      },
      { onCorrupt: 'replace' },
    );
  }

  /** Extends the lock held by `token`; false when it is no longer this token's (expired and taken, or released). */
  async renew(token: string): Promise<boolean> {
    return this.docs.update(this.key, lockRecordSchema, (current) => {
      if (!current || current.value.token !== token || current.value.released) return { keep: true, result: false };
      return { write: { ...current.value, expiresAt: new Date(this.now() + this.ttlMs).toISOString() }, result: true };
    });
  }

  /** Releases the lock if `token` still holds it (an expired and re-taken lock is left alone). */
  async release(token: string): Promise<void> {
    await this.docs.update(this.key, lockRecordSchema, (current) => {
      if (!current || current.value.token !== token || current.value.released) return { keep: true, result: undefined };
      return { write: { ...current.value, released: true }, result: undefined };
    });
  }

  /** The lock's record, or null when there is none or it cannot be read. */
  async read(): Promise<LockRecord | null> {
    return this.docs.value(this.key, lockRecordSchema).catch(() => null);
  }

  /** Held: not released and not expired. */
  held(record: LockRecord): boolean {
    return !record.released && Date.parse(record.expiresAt) > this.now();
  }
}
