/**
 * The scorecard's tuning on the training pool: the search's fits run on worker threads (each
 * configuration's fold sent to a worker with the scorecard's columns) and give, byte for byte, the
 * artifact one thread gives.
 */
import { expect, it } from 'vitest';
import { loadSpec } from '../lib/data/spec.ts';
import { trainModel } from '../lib/pipeline/pipeline.ts';
import { createProgressReporter } from '../lib/training/progress.ts';
import { tempDir } from './helpers.ts';
import { weakSignalsCsv } from './scorecard-data.ts';

it('gives the same tuned scorecard artifact byte for byte on one thread and on two', async () => {
  const { csv, specFile } = weakSignalsCsv(tempDir('tuning-scorecard-pool'));
  const outputs: Map<string, Uint8Array>[] = [];
  const chosen: string[] = [];
  for (const jobs of [1, 2]) {
    const trained = await trainModel({
      dataFile: csv,
      spec: loadSpec(specFile),
      folds: 3,
      seed: 42,
      classifiers: ['scorecard'],
      samplers: ['none'],
      tune: { budget: 12, candidates: 1 },
      progress: createProgressReporter(process.stderr, true),
      jobs,
    });
    outputs.push(trained.files);
    chosen.push(trained.report.tuning!.chosen);
  }
  // The tuned scorecard is the one saved, so the pool's search is what the files compare.
  expect(chosen).toEqual(['tuned', 'tuned']);
  expect([...outputs[0].keys()].sort()).toEqual([...outputs[1].keys()].sort());
  for (const [name, bytes] of outputs[0])
    expect(Buffer.compare(Buffer.from(bytes), Buffer.from(outputs[1].get(name)!)), name).toBe(0);
}, 240_000);
