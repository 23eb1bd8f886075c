import { describe, expect, it } from 'vitest';
import { GradientBoostingClassifier } from '../lib/trees/gradient-boosting.ts';
import { ParallelBatchPredictor } from '../lib/trees/parallel-batch-predictor.ts';
import { Random } from '../lib/util/random.ts';

describe('parallel batch prediction', () => {
  it('gives exactly the single-thread probabilities, on two threads and below the split threshold', async () => {
    const rng = new Random(5);
    const p = 6;
    const rows = 9000;
    const X = Float64Array.from({ length: rows * p }, (_, i) => (i % 97 === 0 ? NaN : rng.nextFloat()));
    const y = Int32Array.from({ length: rows }, (_, i) =>
      X[i * p] + X[i * p + 1] > 1 ? 2 : X[i * p + 2] > 0.5 ? 1 : 0,
    );
    const ensemble = new GradientBoostingClassifier({ n_estimators: 20 }).fit({ X, rows, features: p, y, classes: 3 });
    const parallel = ParallelBatchPredictor.create(ensemble, 2);
    try {
      expect(parallel.threads).toBe(2);
      expect(Array.from(await parallel.predictProbaBatch(X, rows))).toEqual(
        Array.from(ensemble.predictProbaBatch(X, rows)),
      );
      // 100 rows stay on the calling thread.
      expect(Array.from(await parallel.predictProbaBatch(X, 100))).toEqual(
        Array.from(ensemble.predictProbaBatch(X, 100)),
      );
    } finally {
      await parallel.close();
    }
  });
});
