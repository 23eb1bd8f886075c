/**
 * Boosting on several threads: the model is the same, byte for byte, as the one-thread fit
 * (multi-class, whose round's trees grow side by side, the last one in subtrees when they do not
 * share out evenly, and binary with row and column sampling, whose one tree's top levels share
 * their steps and whose subtrees grow side by side, on 2, 3 and 4 threads), the work really is shared, the stable partition it relies on keeps each side's order, and a helper that throws
 * or dies makes the fit fail with a clear error instead of hanging it.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { generateCreditLike } from '../data/generators/credit-like.ts';
import { closeTrainingPools, TrainingPool, trainingPool } from '../lib/training/training-pool.ts';
import { WorkerPool } from '../lib/parallel/worker-pool.ts';
import { compactRows, MISSING_BIN, partitionRowsStable } from '../lib/trees/binning.ts';
import { GradientBoostingClassifier, type GradientBoostingParams } from '../lib/trees/gradient-boosting.ts';
import { RandomForestClassifier } from '../lib/trees/random-forest.ts';
import type { TrainingData } from '../lib/trees/training-data.ts';
import { Random } from '../lib/util/random.ts';

afterAll(() => closeTrainingPools());

/** Large enough that the root and the first levels are shared (steps of 16,384 rows and more). */
function table(rows: number, classes: 2 | 3): TrainingData {
  const t = generateCreditLike(rows, 5);
  const y = classes === 3 ? t.y : Int32Array.from(t.y, (label) => (label === 0 ? 0 : 1));
  return { X: t.X, rows, features: t.features, y, classes };
}

const multiClass = table(24_000, 3);
const binary = table(24_000, 2);

/** A pool whose workers are up: a new worker loads the sources first (a second with tsx), and a fit does not wait for that. */
async function warmPool(jobs: number): Promise<TrainingPool> {
  const pool = trainingPool(jobs);
  await new GradientBoostingClassifier({ n_estimators: 1 }).fitParallel(table(200, 2), pool, undefined, {
    joinWaitMs: 30_000,
  });
  return pool;
}

async function parallelFit(
  params: Partial<GradientBoostingParams>,
  data: TrainingData,
  pool: TrainingPool,
): Promise<{ bytes: Buffer; sharedSteps: number }> {
  const stats: { sharedSteps?: number } = {};
  const model = await new GradientBoostingClassifier(params).fitParallel(data, pool, undefined, { stats });
  return { bytes: Buffer.from(model.toBuffer()), sharedSteps: stats.sharedSteps ?? 0 };
}

describe('boosting on several threads', () => {
  it('grows the same multi-class model, byte for byte, on 1, 2 and 4 threads, with and without row and column sampling, sharing its work', async () => {
    for (const params of [
      { n_estimators: 6, max_depth: 5, random_state: 3 },
      { n_estimators: 6, max_depth: 5, subsample: 0.7, colsample_bytree: 0.6, random_state: 8 },
      // Gamma: every tree grown whole (pruning needs it); monotone: the subtrees start from their bounds;
      // depth 1: the split tree ends above the levels whose subtrees are handed out.
      { n_estimators: 4, max_depth: 4, gamma: 0.3, random_state: 5 },
      { n_estimators: 4, max_depth: 4, monotone_constraints: [1, -1, 0, 1], random_state: 6 },
      { n_estimators: 4, max_depth: 1, random_state: 7 },
    ]) {
      const one = Buffer.from(new GradientBoostingClassifier(params).fit(multiClass).toBuffer());
      for (const jobs of [2, 4]) {
        const { bytes, sharedSteps } = await parallelFit(params, multiClass, await warmPool(jobs));
        expect(bytes.equals(one), `${jobs} threads, ${JSON.stringify(params)}`).toBe(true);
        expect(sharedSteps, `${jobs} threads`).toBeGreaterThan(0);
      }
    }
  });

  it('grows the same binary model with row and column sampling and balanced class weights on 1 and 3 threads', async () => {
    const params = {
      n_estimators: 8,
      subsample: 0.8,
      colsample_bytree: 0.6,
      random_state: 9,
      class_weight: 'balanced' as const,
    };
    const one = Buffer.from(new GradientBoostingClassifier(params).fit(binary).toBuffer());
    const { bytes, sharedSteps } = await parallelFit(params, binary, await warmPool(3));
    expect(bytes.equals(one)).toBe(true);
    expect(sharedSteps).toBeGreaterThan(0);
  });

  it("grows the same model when a split tree's histograms do not all fit the shared arena (the fitting thread grows those subtrees)", async () => {
    // 6,000 features: the 64 MB arena holds two histograms, fewer than the last tree's top levels
    // hold at once. Labels make that tree split on both sides (four subtrees), or on one side
    // only (a leaf in its top levels, set after its subtrees grow); both checked to run this way.
    const rows = 600;
    const features = 6_000;
    const rng = new Random(11);
    const X = Float64Array.from({ length: rows * features }, () => rng.nextFloat());
    const at = (i: number, f: number): number => X[i * features + f];
    const labellings: ((i: number) => number)[] = [
      (i) => (at(i, 0) > 0.5 !== at(i, 1) > 0.5 ? 2 : at(i, 2) > 0.5 ? 1 : 0),
      (i) => (at(i, 0) <= 0.5 && at(i, 1) > 0.5 ? 2 : at(i, 2) > 0.5 ? 1 : 0),
    ];
    const params = { n_estimators: 2, max_depth: 4, random_state: 2 };
    for (const label of labellings) {
      const wide: TrainingData = {
        X,
        rows,
        features,
        y: Int32Array.from({ length: rows }, (_, i) => label(i)),
        classes: 3,
      };
      const one = Buffer.from(new GradientBoostingClassifier(params).fit(wide).toBuffer());
      const { bytes } = await parallelFit(params, wide, await warmPool(2));
      expect(bytes.equals(one)).toBe(true);
    }
  });

  it('finishes, with the same model, when its pool is busy with a forest fit at the same time', async () => {
    const pool = trainingPool(2);
    const params = { n_estimators: 4, random_state: 1 };
    const forest = new RandomForestClassifier({ n_estimators: 8, random_state: 2, max_depth: 6 }).fitParallel(
      multiClass,
      pool,
    );
    const boosted = parallelFit(params, multiClass, pool);
    const deadline = new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error('deadlock: not done in 60 s')), 60_000).unref(),
    );
    const [, { bytes }] = await Promise.race([Promise.all([forest, boosted]), deadline]);
    expect(bytes.equals(Buffer.from(new GradientBoostingClassifier(params).fit(multiClass).toBuffer()))).toBe(true);
  });
});

describe('the stable partition', () => {
  it('sends each row the way its bin says and keeps both sides in their order, in one block or many', () => {
    const rng = new Random(4);
    const rows = 5000;
    const column = Uint8Array.from({ length: rows }, () => (rng.nextFloat() < 0.1 ? MISSING_BIN : rng.nextInt(40)));
    for (const missingLeft of [false, true]) {
      const order = rng.shuffle(Int32Array.from({ length: rows }, (_, i) => i));
      const goesLeft = (r: number): boolean => (column[r] === MISSING_BIN ? missingLeft : column[r] <= 17);
      const start = 100;
      const end = 4900;
      const expected = [
        ...order.subarray(start, end).filter(goesLeft),
        ...order.subarray(start, end).filter((r) => !goesLeft(r)),
      ];

      const whole = order.slice();
      const mid = partitionRowsStable(whole, start, end, column, 17, missingLeft, new Int32Array(rows));
      expect(Array.from(whole.subarray(start, end))).toEqual(expected);
      expect(mid - start).toBe(expected.filter(goesLeft).length);
      expect(Array.from(whole.subarray(0, start))).toEqual(Array.from(order.subarray(0, start)));
      expect(Array.from(whole.subarray(end))).toEqual(Array.from(order.subarray(end)));

      // Blocks compacted side by side never write outside their own range.
      const blocks = order.slice();
      const scratch = new Int32Array(rows).fill(-1);
      const cuts = [start, 1333, 1334, 3000, end];
      const lefts = cuts
        .slice(0, -1)
        .map((from, b) => compactRows(blocks, from, cuts[b + 1], column, 17, missingLeft, scratch));
      cuts.slice(0, -1).forEach((from, b) => {
        const inBlock = Array.from(order.subarray(from, cuts[b + 1]));
        expect(Array.from(blocks.subarray(from, from + lefts[b]))).toEqual(inBlock.filter(goesLeft));
        expect(Array.from(scratch.subarray(from, from + inBlock.length - lefts[b]))).toEqual(
          inBlock.filter((r) => !goesLeft(r)),
        );
      });
      expect(Array.from(scratch.subarray(0, start)).every((v) => v === -1)).toBe(true);
      expect(Array.from(scratch.subarray(end)).every((v) => v === -1)).toBe(true);
    }
  });
});

describe('a boosting helper under faults', () => {
  const faultyPool = (fault: 'throw' | 'exit'): TrainingPool =>
    new TrainingPool(
      new WorkerPool(new URL('./fixtures/workers/faulty-boosting-worker-entry.mjs', import.meta.url), 2, { fault }),
    );

  it('fails the fit with the helper error when a helper throws, and the pool goes on', async () => {
    const pool = faultyPool('throw');
    try {
      // Waiting for the helper to join: a slow worker start (a loaded machine) must not let the fit run alone.
      const joined = { joinWaitMs: 30_000 };
      // Multi-class with gamma (whole trees only): the helper's first chunk is a whole tree of the round.
      await expect(
        new GradientBoostingClassifier({ n_estimators: 3, gamma: 0.1 }).fitParallel(
          multiClass,
          pool,
          undefined,
          joined,
        ),
      ).rejects.toThrow(
        /a boosting helper failed: boosting-helper failed in a worker: injected fault: the round plan cannot be read/,
      );
      // The worker is free again: the next fit starts a new helper there. Binary: its first chunk is a step of the one tree's top levels.
      await expect(
        new GradientBoostingClassifier({ n_estimators: 1 }).fitParallel(binary, pool, undefined, joined),
      ).rejects.toThrow(/injected fault: the row order cannot be read/);
    } finally {
      await pool.close();
    }
  });

  it('fails the fit within the answer deadline when a helper dies mid-step, naming the exit', async () => {
    const pool = faultyPool('exit');
    try {
      // A join wait far beyond the test's own timeout: a fit that waited for it instead of failing at
      // the answer deadline fails this test by timing out (no wall-clock bound in the assertions).
      await expect(
        new GradientBoostingClassifier({ n_estimators: 3 }).fitParallel(multiClass, pool, undefined, {
          answerDeadlineMs: 1500,
          joinWaitMs: 600_000,
        }),
      ).rejects.toThrow(/a boosting helper failed: a worker exited with code 3 while it ran boosting-helper/);
    } finally {
      await pool.close();
    }
  });
});
