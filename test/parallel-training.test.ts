/**
 * Training on every core: the same artifact byte for byte whatever the number of threads, a
 * pool that survives its workers' faults, and one pool shared by a cross-validation and a
 * forest's fit at the same time.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../lib/data/dataset.ts';
import { Preprocessor } from '../lib/data/preprocessor.ts';
import { loadSpec } from '../lib/data/spec.ts';
import { closeTrainingPools, trainingPool } from '../lib/training/training-pool.ts';
import { WorkerPool } from '../lib/parallel/worker-pool.ts';
import { crossValidate } from '../lib/training/cross-validate.ts';
import { trainModel } from '../lib/pipeline/pipeline.ts';
import { createProgressReporter } from '../lib/training/progress.ts';
import { RandomForestClassifier } from '../lib/trees/random-forest.ts';
import { subsetCsv, tempDir } from './helpers.ts';

const spec = loadSpec('data/specs/credit-score.json');
const csv = subsetCsv('data/credit_score_customers_raw.csv', 1200, join(tempDir('parallel'), 'credit-1200.csv'));
const quiet = createProgressReporter(process.stderr, true);

afterAll(() => closeTrainingPools());

describe('training on every core', () => {
  it('gives the same artifact, byte for byte, on 1 thread and on 4', async () => {
    const options = {
      dataFile: csv,
      spec,
      folds: 3,
      seed: 11,
      classifiers: ['rf', 'xgb'] as ('rf' | 'xgb')[],
      samplers: ['none', 'smote'] as ('none' | 'smote')[],
      progress: quiet,
    };
    const one = await trainModel({ ...options, jobs: 1 });
    const four = await trainModel({ ...options, jobs: 4 });
    expect([...four.files.keys()].sort()).toEqual([...one.files.keys()].sort());
    for (const [name, bytes] of one.files)
      expect(Buffer.from(four.files.get(name)!).equals(Buffer.from(bytes)), name).toBe(true);
    expect(four.report.candidates.map((c) => c.cv.f1_macro)).toEqual(one.report.candidates.map((c) => c.cv.f1_macro));
  });

  it('shares one pool between a cross-validation and a forest fit running at once', async () => {
    const pool = trainingPool(2);
    const dataset = loadDataset(csv, spec);
    const pre = Preprocessor.fit(spec, dataset.rows);
    const data = {
      X: pre.transform(dataset.rows),
      rows: dataset.rows.length,
      features: pre.featureCount,
      y: dataset.y,
      classes: 3,
    };
    const forest = new RandomForestClassifier({ n_estimators: 40, random_state: 3 });
    const deadline = new Promise((_, reject) =>
      setTimeout(() => reject(new Error('deadlock: not done in 60 s')), 60_000).unref(),
    );
    const [cv, parallel] = (await Promise.race([
      Promise.all([
        crossValidate(dataset, {
          folds: 2,
          seed: 5,
          classifiers: ['rf', 'xgb'],
          samplers: ['none', 'ros'],
          progress: quiet,
          pool,
        }),
        forest.fitParallel(data, pool),
      ]),
      deadline,
    ])) as [Awaited<ReturnType<typeof crossValidate>>, Awaited<ReturnType<RandomForestClassifier['fitParallel']>>];
    expect(cv).toHaveLength(4);
    expect(cv.every((c) => c.cv.f1_macro > 0.3)).toBe(true);
    expect(Buffer.from(parallel.toBuffer()).equals(Buffer.from(forest.fit(data).toBuffer()))).toBe(true);
  });
});

describe('the worker pool under faults', () => {
  const faulty = (): WorkerPool =>
    new WorkerPool(new URL('./fixtures/workers/faulty-worker-entry.mjs', import.meta.url), 2);

  it('rejects a task whose worker throws, exits or crashes, names it, replaces the worker, and goes on', async () => {
    const pool = faulty();
    try {
      await expect(pool.run({ kind: 'throw' })).rejects.toThrow(/throw failed in a worker: asked to fail/);
      await expect(pool.run({ kind: 'exit' })).rejects.toThrow(
        /a worker exited with code 3 while it ran exit; it was replaced/,
      );
      await expect(pool.run({ kind: 'uncaught' })).rejects.toThrow(
        /a worker crashed \(an error nobody caught\) while it ran uncaught; it was replaced/,
      );
      const answers = await Promise.all(
        Array.from({ length: 6 }, (_, i) => pool.run<{ value: number }>({ kind: 'echo', value: i })),
      );
      expect(answers.map((a) => a.value)).toEqual([0, 1, 2, 3, 4, 5]);
    } finally {
      await pool.close();
    }
  });

  it('runs the highest priority first and never hangs a caller when closed', async () => {
    const pool = new WorkerPool(new URL('./fixtures/workers/faulty-worker-entry.mjs', import.meta.url), 1);
    const order: number[] = [];
    const first = pool.run({ kind: 'echo', value: 0 }).then(() => order.push(0));
    const low = pool.run({ kind: 'echo', value: 1 }, 1).then(() => order.push(1));
    const high = pool.run({ kind: 'echo', value: 2 }, 5).then(() => order.push(2));
    await Promise.all([first, low, high]);
    expect(order).toEqual([0, 2, 1]);
    const outcome = (p: Promise<unknown>): Promise<unknown> =>
      p.then(
        () => 'answered',
        (err: Error) => err.message,
      );
    const pending = outcome(pool.run({ kind: 'uncaught' }));
    const queued = outcome(pool.run({ kind: 'echo', value: 9 }));
    await pool.close();
    expect(await pending).toMatch(/the worker pool was closed while uncaught ran/);
    expect(await queued).toMatch(/the worker pool was closed/);
  });
});
