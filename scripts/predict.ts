/**
 * credit-score predict (npm run predict): scores a CSV of raw rows (identifiers and target
 * optional) with a saved artifact, or with a model of the registry (npm start's, or
 * S3_ENDPOINT's: scripts/cli/registry-target.ts), cleaning every value exactly as training did.
 * Writes CSV: the row's identifiers (or its line number), the predicted class and one
 * probability column per class; with --explain, the predicted class's base value and its top N
 * reasons (source column, the value in the file, contribution), as /predict?explain=N.
 * Options and help: scripts/cli/commands/predict.ts.
 */
import { treeEnsemble } from '../lib/artifact/model-bundle.ts';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { readArtifactDirectory } from '../lib/artifact/artifact-directory.ts';
import { cleanEachRecord } from '../lib/data/clean-each-record.ts';
import { checkUnlisted, readCsvFile, unlistedColumnsWarning } from '../lib/data/dataset.ts';
import { Preprocessor } from '../lib/data/preprocessor.ts';
import { calibrateServed } from '../lib/serving/served-probabilities.ts';
import { applyDecisionWeights } from '../lib/evaluation/decision-weights.ts';
import { featureSources, MAX_REASONS, reasonCodes } from '../lib/explain/reason-codes.ts';
import {
  EXPLAIN_METHODS,
  ExplainUnavailableError,
  TreeExplainer,
  type ExplainMethod,
} from '../lib/explain/tree-shap.ts';
import { ParallelBatchPredictor } from '../lib/trees/parallel-batch-predictor.ts';
import { runCli, UsageError } from './cli/args.ts';
import { parseCommand, usageHint } from './cli/command.ts';
import { ON_ERROR_MODES, PREDICT, type OnErrorMode } from './cli/commands/predict.ts';
import { checkOutputFile } from './cli/output-path.ts';
import { loadRegistryModel, REGISTRY_PREFIX } from './cli/registry-models.ts';

/** Below this, starting worker threads costs more than they save. */
const PARALLEL_FROM_ROWS = 8192;

/** The column that names each output row when the file has no identifier column: its line, as errors name it. */
const ROW_COLUMN = 'row';

await runCli(async () => {
  const parsed = parseCommand(PREDICT, process.argv.slice(2));
  if (!parsed) return;
  const { values } = parsed;
  const model = values.model!;
  const data = values.data!;
  const top = values.explain === undefined ? 0 : Number(values.explain);
  if (values.explain !== undefined && !(Number.isInteger(top) && top >= 1 && top <= MAX_REASONS))
    throw new UsageError(`--explain takes a number of reasons from 1 to ${MAX_REASONS}, got ${values.explain}`);
  const method = (values['explain-method'] ?? 'exact') as ExplainMethod;
  if (!EXPLAIN_METHODS.includes(method))
    throw new UsageError(`--explain-method is exact or approx, got ${values['explain-method']}`);
  if (values['explain-method'] !== undefined && !top) throw new UsageError('--explain-method needs --explain N');
  const onError = values['on-error'] as OnErrorMode | undefined;
  if (onError !== undefined && !ON_ERROR_MODES.includes(onError))
    throw new UsageError(`--on-error is ${ON_ERROR_MODES.join(', ')}, got ${onError}`);
  if (values.out) checkOutputFile(values.out, 'out');

  const { bundle } = model.startsWith(REGISTRY_PREFIX)
    ? await loadRegistryModel(model)
    : await readArtifactDirectory(model);
  const ensemble = treeEnsemble(bundle, 'the batch predict CLI');
  const preprocessor = new Preprocessor(bundle.preprocessor);
  const csv = readCsvFile(data);
  const unlisted = checkUnlisted(csv.header, bundle.spec, data, { strict: values.strict });
  if (unlisted.length) process.stderr.write(`warning: ${unlistedColumnsWarning(unlisted, data)}\n`);
  const cleaned = cleanEachRecord(csv, bundle.spec, data);
  const bad = cleaned.filter((c) => c.problems.length);
  if (onError === 'fail' && bad.length) throw bad[0].problems[0];
  // Features of every clean row (unseen categories noted once each), then one batch on every core.
  const scored = cleaned.flatMap((c, r) => (c.row ? [r] : []));
  /** Position in X (and in the probabilities) of each scored record. */
  const slot = new Map(scored.map((r, j) => [r, j]));
  const p = preprocessor.featureCount;
  const X = new Float64Array(scored.length * p);
  const notes: string[] = [];
  scored.forEach((r, j) => preprocessor.transformRow(cleaned[r].row!, X, j * p, notes));
  const probabilities =
    scored.length >= PARALLEL_FROM_ROWS
      ? await predictInParallel(X, scored.length)
      : ensemble.predictProbaBatch(X, scored.length);
  async function predictInParallel(matrix: Float64Array, count: number): Promise<Float64Array> {
    const parallel = ParallelBatchPredictor.create(ensemble);
    return parallel.predictProbaBatch(matrix, count).finally(() => parallel.close());
  }
  calibrateServed(bundle, probabilities, scored.length);
  const classes = bundle.spec.target.classes;
  const K = classes.length;
  // The artifact's decision rule, if it has one (the class may then not be the most probable), on the served probabilities.
  const predicted = applyDecisionWeights(probabilities, scored.length, K, bundle.decision?.weights);
  const ids = bundle.spec.identifiers.filter((c) => csv.header.includes(c));
  const idIndex = ids.map((c) => csv.header.indexOf(c));
  const idCells = (r: number): string[] =>
    ids.length ? idIndex.map((i) => csv.records[r][i]) : [String(csv.lines[r])];
  let explainer: TreeExplainer | null = null;
  try {
    explainer = top ? new TreeExplainer(ensemble) : null;
  } catch (err) {
    if (err instanceof ExplainUnavailableError) throw new UsageError(`--explain: ${model}: ${err.message}`);
    throw err;
  }
  const sources = featureSources(bundle.preprocessor);
  const reasonHeader = Array.from({ length: top }, (_, j) => [
    `reason_${j + 1}`,
    `reason_${j + 1}_value`,
    `reason_${j + 1}_contribution`,
  ]).flat();
  const explainCells = (r: number, j: number): string[] => {
    if (!explainer) return [];
    const record = csv.records[r];
    const valueOf = (column: string): string => record[csv.header.indexOf(column)] ?? '';
    const { baseValue, reasons } = reasonCodes(
      explainer.explain(X, method, j * p),
      sources,
      ensemble.aggregation,
      predicted[j],
      top,
      method,
      valueOf,
    );
    const cells = reasons.flatMap((reason) => [
      reason.feature,
      String(reason.value),
      reason.contribution.toPrecision(6),
    ]);
    while (cells.length < 3 * top) cells.push('');
    return [baseValue.toPrecision(6), ...cells];
  };
  const header = [
    ...(ids.length ? ids : [ROW_COLUMN]),
    'prediction',
    ...classes.map((c) => `p_${c}`),
    ...(top ? ['base_value', ...reasonHeader] : []),
  ];
  const scoreCells = (r: number): string[] | null => {
    const j = slot.get(r);
    if (j !== undefined)
      return [
        ...idCells(r),
        classes[predicted[j]],
        ...classes.map((_c, k) => probabilities[j * K + k].toFixed(6)),
        ...explainCells(r, j),
      ];
    return onError === 'null' ? [...idCells(r), ...Array<string>(header.length - idCells(r).length).fill('')] : null;
  };
  await writeLines(
    values.out,
    [header, ...csv.records.map((_, r) => scoreCells(r))].flatMap((cells) =>
      cells ? [cells.map(csvField).join(',') + '\n'] : [],
    ),
  );

  for (const note of new Set(notes)) process.stderr.write(`note: ${note}\n`);
  for (const problem of bad.flatMap((c) => c.problems)) process.stderr.write(`bad row: ${problem.message}\n`);
  const badRows = bad.length
    ? `; ${bad.length} row${bad.length === 1 ? '' : 's'} could not be cleaned (${onError === 'null' ? 'written with empty scores' : 'left out'})`
    : '';
  process.stderr.write(
    `scored ${scored.length} rows with ${bundle.name} (${bundle.classifier}+${bundle.sampler})${badRows}\n`,
  );
  // Without --on-error, bad rows make the run fail (exit 1) after the good ones are written.
  if (bad.length && onError === undefined) process.exitCode = 1;
}, usageHint(PREDICT));

/** To stdout, or to `file` through a temporary sibling renamed into place: a failed run leaves no partial file. */
async function writeLines(file: string | undefined, lines: string[]): Promise<void> {
  if (!file) {
    for (const line of lines) process.stdout.write(line);
    return;
  }
  await mkdir(dirname(file), { recursive: true });
  const staging = `${file}.tmp-${process.pid}`;
  try {
    const out = createWriteStream(staging);
    for (const line of lines) out.write(line);
    await new Promise<void>((done, fail) => {
      out.once('error', fail);
      out.end(done);
    });
    await rename(staging, file);
  } catch (err) {
    await rm(staging, { force: true });
    throw err;
  }
}

function csvField(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
