/**
 * credit-score train (npm run train): cross-validates the candidates on a labelled CSV and saves
 * the best as an artifact. Options and help: scripts/cli/commands/train.ts.
 */
import { METRIC_TITLES, SELECTION_METRICS, type SelectionMetric } from '../lib/training/selection-metric.ts';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { writeArtifactDirectory } from '../lib/artifact/artifact-directory.ts';
import { MANIFEST_FILE, sha256 } from '../lib/artifact/model-bundle.ts';
import { unlistedColumnsWarning } from '../lib/data/dataset.ts';
import { loadSpec } from '../lib/data/spec.ts';
import { SAMPLER_NAMES } from '../lib/sampling/index.ts';
import { CLASSIFIER_NAMES } from '../lib/training/candidates.ts';
import { closeTrainingPools } from '../lib/training/training-pool.ts';
import { trainModel, type TrainingReport } from '../lib/pipeline/pipeline.ts';
import { DECISION_RULE_MODES, type DecisionRuleMode } from '../lib/training/decision-rule.ts';
import { CALIBRATION_MODES, type CalibrationMode } from '../lib/training/calibration-choice.ts';
import { createProgressReporter } from '../lib/training/progress.ts';
import { describeConfig } from '../lib/tuning/search-space.ts';
import { parseInteger, parseList, runCli, UsageError } from './cli/args.ts';
import { parseCommand, usageHint } from './cli/command.ts';
import { TRAIN } from './cli/commands/train.ts';
import { checkArtifactDirectory, checkOutputFile } from './cli/output-path.ts';
import { modelNameOf } from './cli/model-name.ts';
import { registerArtifact } from './cli/registry-models.ts';

await runCli(async () => {
  const parsed = parseCommand(TRAIN, process.argv.slice(2));
  if (!parsed) return;
  const { values } = parsed;
  // Every argument is checked before the data is read: a typo fails in a second, not after training.
  const settings = {
    folds: parseInteger(values.cv, 'cv', 2),
    seed: parseInteger(values.seed, 'seed', 0),
    classifiers: parseList(values.classifiers, CLASSIFIER_NAMES, 'classifiers'),
    samplers: parseList(values.samplers, SAMPLER_NAMES, 'samplers'),
    jobs: parseInteger(values.jobs, 'jobs', 0),
    earlyStoppingRounds: parseInteger(values['early-stopping'], 'early-stopping', 0),
    ...(values.tune
      ? {
          tune: {
            budget: parseInteger(values['tune-budget'], 'tune-budget', 3),
            candidates: parseInteger(values['tune-candidates'], 'tune-candidates', 1),
          },
        }
      : {}),
    ...(values['decision-rule'] !== undefined ? { decisionRule: parseDecisionRule(values['decision-rule']) } : {}),
    metric: parseMetric(values.metric),
    calibration: parseCalibration(values.calibration),
  };
  const spec = loadSpec(values.spec);
  if (values.name !== undefined && !values.register)
    throw new UsageError('--name names the model --register files the artifact under: add --register');
  const registerAs = values.register ? modelNameOf(values.name, spec.name, values.spec) : undefined;
  const out = values.out ?? `models/${spec.name}`;
  checkArtifactDirectory(out, 'out');
  if (values.report) checkOutputFile(values.report, 'report');
  const result = await trainModel({
    dataFile: values.data,
    spec,
    ...settings,
    strict: values.strict,
    onUnlistedColumns: (columns) => process.stderr.write(`warning: ${unlistedColumnsWarning(columns, values.data)}\n`),
    progress: createProgressReporter(process.stderr, values.quiet),
  });
  await closeTrainingPools();
  await writeArtifactDirectory(out, result.files);
  const manifest = result.files.get(MANIFEST_FILE)!;
  const bytes = [...result.files.values()].reduce((s, b) => s + b.byteLength, 0);
  const report: TrainingReport = {
    ...result.report,
    artifact: { path: resolve(out), sha256: sha256(manifest), bytes, files: result.files.size },
  };
  if (values.report) {
    await mkdir(dirname(values.report), { recursive: true });
    await writeFile(values.report, JSON.stringify(report, null, 2) + '\n');
  }
  process.stdout.write(summary(report));
  if (registerAs) {
    const registered = await registerArtifact(result.files, {
      name: registerAs,
      source: values.data,
      reason: `credit-score train --register (${report.best.title})`,
    });
    process.stdout.write(
      `registered ${registered.name} ${registered.version} in ${registered.where} (no alias moved)\n`,
    );
  }
}, usageHint(TRAIN));

function parseDecisionRule(value: string): DecisionRuleMode {
  if (!(DECISION_RULE_MODES as readonly string[]).includes(value))
    throw new UsageError(`--decision-rule is ${DECISION_RULE_MODES.join(', ')}, got "${value}"`);
  return value as DecisionRuleMode;
}

function parseMetric(value: string): SelectionMetric {
  if (!(SELECTION_METRICS as readonly string[]).includes(value))
    throw new UsageError(`--metric is ${SELECTION_METRICS.join(', ')}, got "${value}"`);
  return value as SelectionMetric;
}

function parseCalibration(value: string): CalibrationMode {
  if (!(CALIBRATION_MODES as readonly string[]).includes(value))
    throw new UsageError(`--calibration is ${CALIBRATION_MODES.join(', ')}, got "${value}"`);
  return value as CalibrationMode;
}

function summary(report: TrainingReport): string {
  // AUC: the positive class's for two classes, one-vs-rest macro for more; Gini = 2 AUC - 1.
  const header = [
    'classifier',
    'sampler',
    'macro F1',
    '± std',
    'accuracy',
    'precision',
    'recall',
    'AUC',
    'Gini',
    'KS',
    'fit s/fold',
  ];
  const number = (v: number | null): string => (v === null ? '-' : v.toFixed(4));
  const rows = report.candidates.map((c) => [
    c.classifier,
    c.sampler,
    ...(c.error
      ? ['failed: ' + c.error, '', '', '', '', '', '', '', '']
      : [
          c.cv.f1_macro,
          c.cv.f1_macro_std,
          c.cv.accuracy,
          c.cv.precision_macro,
          c.cv.recall_macro,
          c.ranking.roc_auc,
          c.ranking.gini,
          c.ranking.ks,
        ]
          .map(number)
          .concat(c.fit_seconds.toFixed(2))),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells: string[]): string => cells.map((c, i) => String(c).padEnd(widths[i])).join('  ') + '\n';
  const { best, artifact, dataset } = report;
  return (
    `\n${dataset.name}: ${dataset.rows} rows, ${dataset.features} features, classes ${JSON.stringify(dataset.classes)}\n\n` +
    line(header) +
    line(widths.map((w) => '-'.repeat(w))) +
    rows.map(line).join('') +
    tuningLines(report) +
    `\nbest: ${best.title}${report.settings.metric !== 'f1_macro' ? ` (chosen by ${METRIC_TITLES[report.settings.metric]})` : ''}, macro F1 ${best.cv.f1_macro.toFixed(4)} ± ${best.cv.f1_macro_std.toFixed(4)}, AUC ${number(best.ranking.roc_auc)} ± ${number(best.ranking.roc_auc_std)}, Gini ${number(best.ranking.gini)}, KS ${number(best.ranking.ks)}\n` +
    `confusion matrix (rows = true ${Object.keys(dataset.classes).join('/')}): ${JSON.stringify(best.confusion_matrix)}\n` +
    `decision rule: ${report.decision_rule.reason}${report.decision_rule.weights ? `; weights ${JSON.stringify(report.decision_rule.weights.map((w) => Number(w.toFixed(4))))}` : ''}\n` +
    `calibration: ${report.calibration.reason}\n` +
    (artifact
      ? `artifact: ${artifact.path} (${artifact.files} files, ${artifact.bytes} bytes, manifest sha256 ${artifact.sha256})\n`
      : '')
  );
}

/** Default against nested tuned scores, on the same outer folds, and what was kept. */
function tuningLines(report: TrainingReport): string {
  const { tuning } = report;
  if (!tuning) return '';
  const lines = tuning.candidates.map(
    (c) =>
      `tuned ${c.classifier}+${c.sampler}: macro F1 ${c.default.f1_macro.toFixed(4)} with defaults, ${c.tuned.f1_macro.toFixed(4)} tuned (nested; ${c.fits} fits, ${tuning.budget} per search)`,
  );
  const kept =
    tuning.chosen === 'tuned'
      ? `kept the tuned model: ${describeConfig(tuning.final_config!)}`
      : 'kept the best default candidate (no tuned one scored higher)';
  return `\n${lines.join('\n')}\n${kept} (tuning took ${tuning.seconds} s)\n`;
}
