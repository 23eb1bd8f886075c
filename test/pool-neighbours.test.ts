/**
 * A sampler's neighbour searches on the training pool's workers: the resampled matrix is the
 * one the sampler makes on one thread, byte for byte, and the searches really ran on the
 * workers (a pool that counts the tasks it is given).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { fitResampleOnPool } from '../lib/sampling/pool-neighbours.ts';
import { TrainingPool } from '../lib/training/training-pool.ts';
import { workerUrl } from '../lib/parallel/worker-url.ts';
import { WorkerPool } from '../lib/parallel/worker-pool.ts';
import { createSampler, type LabelledMatrix } from '../lib/sampling/index.ts';
import { SAMPLER_NAMES } from '../lib/sampling/sampler-names.ts';
import { Random } from '../lib/util/random.ts';

class CountingPool extends TrainingPool {
  readonly kinds: string[] = [];
  override run<T>(task: { kind: string; [field: string]: unknown }, priority = 0): Promise<T> {
    this.kinds.push(task.kind);
    return super.run<T>(task, priority);
  }
}

const pool = new CountingPool(
  new WorkerPool(workerUrl('training-worker', new URL('../lib/training/training-pool.ts', import.meta.url).href), 2),
);
afterAll(() => pool.close());

/** Three overlapping classes (70/20/10 %), 6 features: both minority classes have enough query rows (> 2,000) to go to the pool. */
function table(rows: number): LabelledMatrix {
  const rng = new Random(4);
  const features = 6;
  const X = new Float64Array(rows * features);
  const y = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    const u = rng.nextFloat();
    y[i] = u < 0.7 ? 0 : u < 0.9 ? 1 : 2;
    for (let f = 0; f < features; f++) X[i * features + f] = y[i] * 0.7 + rng.nextFloat() * 2;
  }
  return { X, rows, features, y, classes: 3 };
}

describe('neighbour searches on the training pool', () => {
  it('resamples to the same bytes as one thread, for every sampler, the searches run by the workers', async () => {
    const data = table(24_000);
    for (const name of SAMPLER_NAMES) {
      pool.kinds.length = 0;
      const here = createSampler(name, 7).fitResample(data);
      const there = await fitResampleOnPool(createSampler(name, 7), data, pool);
      expect(there.rows, name).toBe(here.rows);
      expect(
        Buffer.from(there.X.buffer, there.X.byteOffset, there.X.byteLength).equals(
          Buffer.from(here.X.buffer, here.X.byteOffset, here.X.byteLength),
        ),
        name,
      ).toBe(true);
      expect(Array.from(there.y), name).toEqual(Array.from(here.y));
      const searches = pool.kinds.filter((kind) => kind === 'neighbours').length;
      // One block per worker for each search: SMOTE one search per minority class, ADASYN and BorderlineSMOTE two (the second of
      // BorderlineSMOTE only over its few danger rows, which may stay here); none without neighbours.
      if (name === 'smote' || name === 'adasyn' || name === 'borderline')
        expect(searches, name).toBeGreaterThanOrEqual(2 * pool.threads);
      else expect(searches, name).toBe(0);
    }
  });
});
