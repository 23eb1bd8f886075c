/**
 * The whole candidate search, ours against the Python stack's, timed back to back on the
 * same folds: every classifier x sampler, k-fold CV, then (ours) the refit and the artifact.
 *   npm run bench:cv [-- --dataset taiwan] [--cv 5] [--jobs 0] [--n-jobs -1]
 * Ours is `npm run train` as a user runs it (--jobs threads, 0 = every core), timed from start
 * to the written artifact; the reference is bench/reference_quality.py with n_jobs (-1 = every
 * core), timed from its start to its scores (it does no refit). The folds are exported first,
 * outside both timings.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const DATASETS: Record<string, { data: string; spec: string }> = {
  credit: { data: 'data/credit_score_customers_raw.csv', spec: 'data/specs/credit-score.json' },
  taiwan: { data: 'data/taiwan_credit_default.csv', spec: 'data/specs/taiwan-credit-default.json' },
};
const { values } = parseArgs({
  options: {
    dataset: { type: 'string', default: 'taiwan' },
    cv: { type: 'string', default: '5' },
    jobs: { type: 'string', default: '0' },
    'n-jobs': { type: 'string', default: '-1' },
    seed: { type: 'string', default: '42' },
  },
});
const ds = DATASETS[values.dataset];
if (!ds) throw new Error(`unknown dataset ${values.dataset}`);
const outDir = 'bench/out/cv-time';
mkdirSync(outDir, { recursive: true });
const folds = join(outDir, `${values.dataset}-folds`);
const common = ['--data', ds.data, '--spec', ds.spec, '--cv', values.cv, '--seed', values.seed];
execFileSync('node_modules/.bin/tsx', ['scripts/export-folds.ts', ...common, '--out', folds], {
  stdio: ['ignore', 'ignore', 'inherit'],
});

let started = performance.now();
execFileSync(
  'node_modules/.bin/tsx',
  [
    'scripts/train.ts',
    ...common,
    '--jobs',
    values.jobs,
    '--out',
    join(outDir, 'model'),
    '--report',
    join(outDir, 'ours.json'),
    '--quiet',
  ],
  { stdio: ['ignore', 'ignore', 'inherit'] },
);
const ours = (performance.now() - started) / 1000;
started = performance.now();
const reference = JSON.parse(
  execFileSync(
    '/usr/bin/python3',
    ['bench/reference_quality.py', folds, '--seed', values.seed, '--n-jobs', values['n-jobs']],
    { stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 1 << 24 },
  ).toString(),
) as { cv_seconds: number; candidates: { classifier: string; sampler: string; cv?: { f1_macro: number } }[] };
const referenceWall = (performance.now() - started) / 1000;
const best = (cs: { classifier: string; sampler: string; cv?: { f1_macro: number } }[]): string => {
  const b = cs.filter((c) => c.cv).reduce((x, y) => (y.cv!.f1_macro > x.cv!.f1_macro ? y : x));
  return `${b.classifier}+${b.sampler} ${b.cv!.f1_macro.toFixed(4)}`;
};
const oursReport = JSON.parse(readFileSync(join(outDir, 'ours.json'), 'utf8')) as {
  candidates: { classifier: string; sampler: string; cv?: { f1_macro: number } }[];
};
console.log(`\n${values.dataset}: ${oursReport.candidates.length} candidates x ${values.cv} folds\n`);
console.log('| run | wall time | best |');
console.log('| --- | --- | --- |');
console.log(
  `| ours, \`npm run train -- --jobs ${values.jobs}\` (CV, refit, artifact) | ${ours.toFixed(1)} s | ${best(oursReport.candidates)} |`,
);
console.log(
  `| Python, n_jobs=${values['n-jobs']} (CV only; its process ${referenceWall.toFixed(1)} s) | ${reference.cv_seconds.toFixed(1)} s | ${best(reference.candidates)} |`,
);
console.log(`\nours / Python: ${(ours / reference.cv_seconds).toFixed(2)} (goal: no slower, <= 1.00)`);
