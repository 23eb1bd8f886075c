/**
 * npm run export-folds -- --data FILE [--spec FILE] [--cv 5] [--seed 42] --out DIR
 * Writes, per stratified fold, the training and test feature matrices exactly as our pipeline
 * builds them (preprocessor fitted on the training fold), so the scikit-learn reference in
 * bench/ scores its models on the same rows, the same folds and the same features.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadDataset } from '../lib/data/dataset.ts';
import { Preprocessor } from '../lib/data/preprocessor.ts';
import { loadSpec } from '../lib/data/spec.ts';
import { stratifiedKFold } from '../lib/evaluation/stratified-k-fold.ts';
import { parseInteger, runCli, UsageError } from './cli/args.ts';
import { DATASET_OPTIONS } from './cli/defaults.ts';

await runCli(async () => {
  const { values } = parseArgs({
    options: {
      ...DATASET_OPTIONS,
      out: { type: 'string' },
    },
    strict: true,
  });
  if (!values.out) throw new UsageError('--out DIR is required');
  const spec = loadSpec(values.spec);
  const dataset = loadDataset(values.data, spec);
  const K = spec.target.classes.length;
  const folds = stratifiedKFold(dataset.y, K, parseInteger(values.cv, 'cv', 2), parseInteger(values.seed, 'seed', 0));
  await mkdir(values.out, { recursive: true });
  for (const [f, fold] of folds.entries()) {
    const pre = Preprocessor.fit(spec, dataset.rows, fold.train);
    for (const [part, indices] of [
      ['train', fold.train],
      ['test', fold.test],
    ] as const) {
      const X = pre.transform(dataset.rows, indices);
      const p = pre.featureCount;
      const lines = [[...pre.state.featureNames.map((_, j) => `f${j}`), 'label'].join(',')];
      for (let i = 0; i < indices.length; i++) {
        lines.push(
          [...Array.from(X.subarray(i * p, i * p + p), (v) => String(v)), String(dataset.y[indices[i]])].join(','),
        );
      }
      await writeFile(join(values.out, `fold${f}_${part}.csv`), lines.join('\n') + '\n');
    }
  }
  await writeFile(
    join(values.out, 'folds.json'),
    JSON.stringify({ dataset: spec.name, classes: spec.target.classes, folds: folds.length }) + '\n',
  );
  process.stderr.write(`wrote ${folds.length} folds to ${values.out}\n`);
});
