/** Shared test helpers: temp dirs, subsets of the shipped data, running our CLIs for real. */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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
export function runScript(name: string, args: string[], timeoutMs = 120_000): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile('node_modules/.bin/tsx', [`scripts/${name}.ts`, ...args], { timeout: timeoutMs, maxBuffer: 1 << 26 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

import { loadSpec } from '../lib/data/spec.ts';
import { trainModel, type TrainingResult } from '../lib/training/pipeline.ts';
import { createProgressReporter } from '../lib/training/progress.ts';

let smallModel: Promise<TrainingResult> | undefined;

/** A real credit-score model trained on 900 rows (boosting, no resampling): a few seconds, cached per test file. */
export function trainSmallModel(): Promise<TrainingResult> {
  if (!smallModel) {
    const dir = tempDir('small-model');
    smallModel = trainModel({
      dataFile: subsetCsv('data/credit_score_customers_raw.csv', 900, join(dir, 'credit-900.csv')),
      spec: loadSpec('data/specs/credit-score.json'),
      folds: 2,
      seed: 7,
      classifiers: ['xgb'],
      samplers: ['none'],
      progress: createProgressReporter(process.stderr, true),
    });
  }
  return smallModel;
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
