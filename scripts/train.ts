/**
 * npm run train -- --data FILE [--spec FILE] [--cv 5] [--seed 42] [--classifiers rf,xgb]
 *   [--samplers none,ros,smote,adasyn,borderline] [--jobs N] [--early-stopping N] [--out DIR] [--report FILE] [--quiet] [--register]
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { writeArtifactDirectory } from '../lib/artifact/artifact-directory.ts';
import { MANIFEST_FILE, sha256 } from '../lib/artifact/model-bundle.ts';
import { loadSpec } from '../lib/data/spec.ts';
import { SAMPLER_NAMES } from '../lib/sampling/index.ts';
import { CLASSIFIER_NAMES } from '../lib/training/candidates.ts';
import { closeTrainingPools } from '../lib/parallel/training-pool.ts';
import { trainModel, type TrainingReport } from '../lib/training/pipeline.ts';
import { createProgressReporter } from '../lib/training/progress.ts';
import { parseInteger, parseList, runCli } from './cli/args.ts';
import { DATASET_OPTIONS } from './cli/defaults.ts';
import { registerArtifact } from './cli/registry-models.ts';




await runCli(async () => {
  const { values } = parseArgs({
    options: {
      ...DATASET_OPTIONS,
      classifiers: { type: 'string', default: CLASSIFIER_NAMES.join(',') },
      samplers: { type: 'string', default: SAMPLER_NAMES.join(',') },
      jobs: { type: 'string', default: '0' },
      'early-stopping': { type: 'string', default: '0' },
      out: { type: 'string' },
      report: { type: 'string' },
      quiet: { type: 'boolean', default: false },
      register: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`usage: npm run train -- --data FILE [--spec FILE] [--cv 5] [--seed 42] [--classifiers ${CLASSIFIER_NAMES.join(',')}]\n` +
      `         [--samplers ${SAMPLER_NAMES.join(',')}] [--jobs N (0: every core; 1: this thread only)] [--out DIR] [--report FILE] [--quiet] [--register]\n` +
      `  --early-stopping N: boosting stops after N rounds without a lower log loss on a held-out tenth of the training rows (0: off)\n` +
      `  --register also uploads the artifact to the registry as a new version (npm start's store, or S3_ENDPOINT's; no alias moves)\n`);
    return;
  }
  const spec = loadSpec(values.spec);
  const out = values.out ?? `models/${spec.name}`;
  const result = await trainModel({
    dataFile: values.data,
    spec,
    folds: parseInteger(values.cv, 'cv', 2),
    seed: parseInteger(values.seed, 'seed', 0),
    classifiers: parseList(values.classifiers, CLASSIFIER_NAMES, 'classifiers'),
    samplers: parseList(values.samplers, SAMPLER_NAMES, 'samplers'),
    progress: createProgressReporter(process.stderr, values.quiet),
    jobs: parseInteger(values.jobs, 'jobs', 0),
    earlyStoppingRounds: parseInteger(values['early-stopping'], 'early-stopping', 0),
  });
  await closeTrainingPools();
  await writeArtifactDirectory(out, result.files);
  const manifest = result.files.get(MANIFEST_FILE)!;
  const bytes = [...result.files.values()].reduce((s, b) => s + b.byteLength, 0);
  const report: TrainingReport = { ...result.report, artifact: { path: resolve(out), sha256: sha256(manifest), bytes, files: result.files.size } };
  if (values.report) {
    await mkdir(dirname(values.report), { recursive: true });
    await writeFile(values.report, JSON.stringify(report, null, 2) + '\n');
  }
  process.stdout.write(summary(report));
  if (values.register) {
    const registered = await registerArtifact(result.files, { source: values.data, reason: `npm run train -- --register (${report.best.title})` });
    process.stdout.write(`registered ${registered.name} ${registered.version} in ${registered.where} (no alias moved)\n`);
  }
});

function summary(report: TrainingReport): string {
  const header = ['classifier', 'sampler', 'macro F1', '± std', 'accuracy', 'precision', 'recall', 'fit s/fold'];
  const rows = report.candidates.map((c) => [
    c.classifier,
    c.sampler,
    ...(c.error ? ['failed: ' + c.error, '', '', '', '', ''] : [c.cv.f1_macro, c.cv.f1_macro_std, c.cv.accuracy, c.cv.precision_macro, c.cv.recall_macro].map((v) => v.toFixed(4)).concat(c.fit_seconds.toFixed(2))),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells: string[]): string => cells.map((c, i) => String(c).padEnd(widths[i])).join('  ') + '\n';
  const { best, artifact, dataset } = report;
  return (
    `\n${dataset.name}: ${dataset.rows} rows, ${dataset.features} features, classes ${JSON.stringify(dataset.classes)}\n\n` +
    line(header) + line(widths.map((w) => '-'.repeat(w))) + rows.map(line).join('') +
    `\nbest: ${best.title}, macro F1 ${best.cv.f1_macro.toFixed(4)} ± ${best.cv.f1_macro_std.toFixed(4)}\n` +
    `confusion matrix (rows = true ${Object.keys(dataset.classes).join('/')}): ${JSON.stringify(best.confusion_matrix)}\n` +
    (artifact ? `artifact: ${artifact.path} (${artifact.files} files, ${artifact.bytes} bytes, manifest sha256 ${artifact.sha256})\n` : '')
  );
}
