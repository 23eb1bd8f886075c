/** Shared test helpers: temp dirs, subsets of the shipped data, running our CLIs for real. */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { loadSpec } from '../lib/data/spec.ts';
import type { AliasEvent } from '../lib/registry/model-registry.ts';
import { trainModel, type TrainingResult } from '../lib/pipeline/pipeline.ts';
import type { TrainingData } from '../lib/trees/training-data.ts';
import { Random } from '../lib/util/random.ts';
import { createProgressReporter } from '../lib/training/progress.ts';

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `${prefix}-`));
}

/** The header and the first `rows` rows of a shipped CSV, written to `file`. */
export function subsetCsv(source: string, rows: number, file: string): string {
  const lines = readFileSync(source, 'utf8').split('\n');
  writeFileSync(file, lines.slice(0, rows + 1).join('\n') + '\n');
  return file;
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `tsx scripts/NAME.ts ARGS` as a user would (bounded by a timeout). */
export function runScript(
  name: string,
  args: string[],
  timeoutMs = 120_000,
  env: Record<string, string> = {},
): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      'node_modules/.bin/tsx',
      [`scripts/${name}.ts`, ...args],
      { timeout: timeoutMs, maxBuffer: 1 << 26, env: { ...process.env, ...env } },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const SMALL_DATASETS = {
  credit: { data: 'data/credit_score_customers_raw.csv', spec: 'data/specs/credit-score.json' },
  taiwan: { data: 'data/taiwan_credit_default.csv', spec: 'data/specs/taiwan-credit-default.json' },
} as const;
const smallModels = new Map<keyof typeof SMALL_DATASETS, Promise<TrainingResult>>();

/**
 * A real model trained on 900 rows (boosting, no resampling): a few seconds, cached per test
 * file. `credit` is the credit-score model (three classes); `taiwan` the taiwan-credit-default
 * model (binary, other columns): a second model with another contract.
 */
export function trainSmallModel(dataset: keyof typeof SMALL_DATASETS = 'credit'): Promise<TrainingResult> {
  let model = smallModels.get(dataset);
  if (!model) {
    const dir = tempDir('small-model');
    const { data, spec } = SMALL_DATASETS[dataset];
    model = trainModel({
      dataFile: subsetCsv(data, 900, join(dir, `${dataset}-900.csv`)),
      spec: loadSpec(spec),
      folds: 2,
      seed: 7,
      classifiers: ['xgb'],
      samplers: ['none'],
      progress: createProgressReporter(process.stderr, true),
    });
    smallModels.set(dataset, model);
  }
  return model;
}

let smallForest: Promise<TrainingResult> | null = null;

/** A random forest on 600 credit rows (no resampling, one thread): the forest counterpart of trainSmallModel, cached per test file. */
export function trainSmallForest(): Promise<TrainingResult> {
  const dir = tempDir('small-forest');
  smallForest ??= trainModel({
    dataFile: subsetCsv('data/credit_score_customers_raw.csv', 600, join(dir, 'credit-600.csv')),
    spec: loadSpec('data/specs/credit-score.json'),
    folds: 2,
    seed: 5,
    classifiers: ['rf'],
    samplers: ['none'],
    progress: createProgressReporter(process.stderr, true),
    jobs: 1,
  });
  return smallForest;
}

/** A TCP port on 127.0.0.1 that was free a moment ago (for servers started as child processes). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Polls `probe` until it answers something (errors count as "not yet"), bounded by `timeoutMs`. */
export async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/** Checks that an alias's events, oldest first, form one chain: each names the one before and replaced the version it set. */
export function expectUnbrokenChain(events: AliasEvent[]): void {
  for (let i = 1; i < events.length; i++) {
    expect(events[i].previousEventId, `event ${i} follows event ${i - 1}`).toBe(events[i - 1].eventId);
    expect(events[i].from, `event ${i} replaced what event ${i - 1} set`).toBe(events[i - 1].to);
  }
}

/**
 * Three classes from a weighted sum of the first three of `p` uniform [-1, 1) features (class 0
 * below -cut, 2 above cut); with `missing`, that share of values is NaN (drawn after each value).
 */
export function syntheticThreeClasses(
  rows: number,
  p: number,
  seed: number,
  options: { weights?: number[]; cut?: number; missing?: number } = {},
): TrainingData {
  const { weights = [1, 1, 1], cut = 0.5, missing = 0 } = options;
  const rng = new Random(seed);
  const X = new Float64Array(rows * p);
  const y = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    let s = 0;
    for (let f = 0; f < p; f++) {
      const v = rng.nextFloat() * 2 - 1;
      if (f < 3) s += v * weights[f];
      X[i * p + f] = missing > 0 && rng.nextFloat() < missing ? NaN : v;
    }
    y[i] = s < -cut ? 0 : s < cut ? 1 : 2;
  }
  return { X, rows, features: p, y, classes: 3 };
}

/** scikit-learn through /usr/bin/python3 (Debian's python3-sklearn), or why it is not there. */
export function sklearnMissing(): string | null {
  try {
    execFileSync('/usr/bin/python3', ['-c', 'import sklearn'], { stdio: 'ignore' });
    return null;
  } catch {
    return 'needs /usr/bin/python3 with scikit-learn (sudo apt-get install python3-sklearn)';
  }
}
