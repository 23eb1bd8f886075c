/**
 * Two approvers at once, made to race for certain: a store that holds the first write of a
 * change request until both approvers have read it, so both decide on the same pending request
 * and the compare-and-swap alone must sort them out (lib/governance/approval-flow.ts). Exactly
 * one move either way; with two approvals needed the loser is told it was done, with three both
 * approvals are recorded and the one that completes the count makes the move.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../lib/auth/principal.ts';
import { approveChangeRequest, fileChangeRequest, type Approved } from '../lib/governance/approval-flow.ts';
import { toHttpError } from '../lib/http/error-response.ts';
import { ModelRegistry } from '../lib/registry/model-registry.ts';
import type { EmbeddedS3 } from '../lib/storage/embedded-s3.ts';
import type { PutOptions, PutOutcome, StoredObject } from '../lib/storage/object-store.ts';
import { CountingStore } from './counting-store.ts';
import { startServingS3 } from './s3.ts';

const MODEL = 'credit-score';
const person = (id: string, role: Principal['roles'][number]): Principal => ({
  id,
  name: id,
  roles: [role],
  via: 'api key',
});
const olga = person('olga', 'operator');
const bob = person('bob', 'approver');
const carl = person('carl', 'approver');

/** Holds the first write of a change request, once armed, until two reads of change requests have happened. */
class RacingStore extends CountingStore {
  private reads = 0;
  private armed = false;
  private bothRead: Promise<void> = Promise.resolve();
  private release: () => void = () => undefined;

  arm(): void {
    this.reads = 0;
    this.armed = true;
    this.bothRead = new Promise((resolve) => (this.release = resolve));
  }

  override get(key: string): Promise<StoredObject | null> {
    if (this.armed && key.includes('/approvals/') && ++this.reads === 2) this.release();
    return super.get(key);
  }

  override async put(key: string, bytes: Uint8Array, options?: PutOptions): Promise<PutOutcome> {
    if (this.armed && key.includes('/approvals/')) {
      await this.bothRead;
      this.armed = false;
    }
    return super.put(key, bytes, options);
  }
}

describe('two approvers approving one change request at once', () => {
  let s3: EmbeddedS3;
  let store: RacingStore;
  let registry: ModelRegistry;
  let versions: string[];

  beforeAll(async () => {
    const serving = await startServingS3(3);
    s3 = serving.s3;
    versions = serving.versions;
    store = new RacingStore(serving.store);
    registry = new ModelRegistry(store);
  }, 300_000);
  afterAll(async () => {
    await s3?.close();
  });

  const race = async (
    to: string,
    needed: number,
  ): Promise<{ settled: PromiseSettledResult<Approved>[]; moves: number; id: string }> => {
    const request = await fileChangeRequest(
      registry,
      { model: MODEL, alias: 'champion', to, reason: 'race', force: false, origin: 'promote' },
      olga,
      { needed, expiryHours: 24 },
    );
    const before = (await registry.history(MODEL, 'champion')).length;
    store.arm();
    const settled = await Promise.allSettled([
      approveChangeRequest(registry, MODEL, request.id, bob),
      approveChangeRequest(registry, MODEL, request.id, carl),
    ]);
    return { settled, moves: (await registry.history(MODEL, 'champion')).length - before, id: request.id };
  };

  it('with two needed: one approval makes the move, the other is told it was done (409), and the alias moves once', async () => {
    const { settled, moves } = await race(versions[1], 2);
    const made = settled.filter((s): s is PromiseFulfilledResult<Approved> => s.status === 'fulfilled');
    const refused = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected');
    expect(made).toHaveLength(1);
    expect(made[0].value.event).toMatchObject({ from: versions[0], to: versions[1] });
    expect(made[0].value.request).toMatchObject({ status: 'done', approvedBy: [expect.anything()] });
    expect(refused).toHaveLength(1);
    // A domain refusal; lib/http/error-response.ts gives its answer.
    expect(toHttpError(refused[0].reason as Error)).toMatchObject({
      status: 409,
      code: 'request_decided',
      message: expect.stringMatching(/was approved by (bob|carl) and is done/),
    });
    expect(moves).toBe(1);
    expect((await registry.getAlias(MODEL, 'champion'))?.version).toBe(versions[1]);
  });

  it('with three needed: both approvals are recorded, the one completing the count makes the one move', async () => {
    const { settled, moves } = await race(versions[2], 3);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled']);
    const answers = settled.map((s) => (s as PromiseFulfilledResult<Approved>).value);
    expect(answers.filter((a) => a.event !== null)).toHaveLength(1);
    const done = answers.find((a) => a.event !== null)!;
    expect(done.request).toMatchObject({ status: 'done', needed: 3 });
    expect(done.request.approvedBy.map((a) => a.principal.id).sort()).toEqual(['bob', 'carl']);
    expect(moves).toBe(1);
    expect((await registry.getAlias(MODEL, 'champion'))?.version).toBe(versions[2]);
  });
});
