/**
 * A lock in object storage that expires: one retrain at a time across every container.
 * Acquire = the lock object is absent or expired, then a conditional create (If-None-Match,
 * honoured by AWS S3 and MinIO), then a read-back after a short settle: only the writer whose
 * token is read back holds the lock. The read-back also covers stores that ignore the
 * condition (s3rver): of writers racing within the settle time, exactly one sees its token.
 */
import { randomUUID } from 'node:crypto';
import type { ObjectStore } from '../storage/object-store.ts';

export interface LockRecord {
  owner: string;
  token: string;
  acquiredAt: string;
  expiresAt: string;
}

export type LockAttempt = { acquired: true; token: string } | { acquired: false; holder: LockRecord | null };

export class StorageLock {
  constructor(
    private readonly store: ObjectStore,
    readonly key: string,
    private readonly ttlMs: number,
    private readonly settleMs = 150,
    private readonly now: () => number = Date.now,
  ) {}

  async acquire(owner: string): Promise<LockAttempt> {
    const current = await this.read();
    if (current && Date.parse(current.expiresAt) > this.now()) return { acquired: false, holder: current };
    if (current) await this.store.delete(this.key); // abandoned: its holder died or overran
    const token = randomUUID();
    const record: LockRecord = { owner, token, acquiredAt: new Date(this.now()).toISOString(), expiresAt: new Date(this.now() + this.ttlMs).toISOString() };
    const created = await this.store.put(this.key, new TextEncoder().encode(JSON.stringify(record)), { contentType: 'application/json', ifAbsent: true });
    if (!created) return { acquired: false, holder: await this.read() };
    await new Promise((resolve) => setTimeout(resolve, this.settleMs));
    const check = await this.read();
    return check?.token === token ? { acquired: true, token } : { acquired: false, holder: check };
  }

  /** Releases the lock if `token` still holds it (an expired and re-taken lock is left alone). */
  async release(token: string): Promise<void> {
    const current = await this.read();
    if (current?.token === token) await this.store.delete(this.key);
  }

  async read(): Promise<LockRecord | null> {
    const bytes = await this.store.get(this.key);
    if (!bytes) return null;
    try {
      return JSON.parse(new TextDecoder().decode(bytes)) as LockRecord;
    } catch {
      return null; // unreadable: treated as absent and replaced
    }
  }
}
