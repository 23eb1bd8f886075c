/**
 * The model artifact, the contract between training and serving: one immutable bundle of
 * files (compiled ensemble, fitted preprocessor, spec, drift baseline, metrics, parameters,
 * data fingerprint) indexed by a manifest that carries a sha256 per file and a format version.
 * Serving re-derives nothing: it loads these files and verifies every checksum first.
 *
 * A scorecard model carries scorecard.json (the fit, parsed by a schema on load) in place of
 * ensemble.bin, and its points table as scorecard-table.csv and scorecard-table.json beside it
 * (derived from scorecard.json, written for people and tools that read tables; checksummed like
 * every file). A server that predates scorecards refuses such an artifact: its manifest lists
 * no ensemble.bin.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { parseStoredSpec, type DatasetSpec } from '../data/spec.ts';
import { preprocessorStateSchema, type PreprocessorState } from '../data/preprocessor.ts';
import { trainingBaselineSchema, type TrainingBaseline } from '../data/training-baseline.ts';
import { CompiledEnsemble } from '../trees/compiled-ensemble.ts';
import { calibrationSchema } from '../evaluation/calibrators.ts';
import { storedMetricsSchema, storedParamsSchema, type StoredMetrics, type StoredParams } from './stored-metrics.ts';
import { storedScorecardSchema, type StoredScorecard } from '../scorecard/stored-scorecard.ts';
import { scorecardCsv, scorecardTable } from '../scorecard/scorecard-table.ts';

export const ARTIFACT_FORMAT = 'mlops-credit-score/model';
export const ARTIFACT_FORMAT_VERSION = 1;
/**
 * An artifact whose labels come from a decision rule (decision.json) is version 2, so a server
 * that predates the rule refuses it instead of serving most-probable-class labels silently.
 */
export const DECISION_FORMAT_VERSION = 2;
/**
 * An artifact whose probabilities are calibrated (calibration.json, with or without a decision
 * rule) is version 3: an older server would serve the model's raw probabilities.
 */
export const CALIBRATION_FORMAT_VERSION = 3;
const READABLE_VERSIONS = [ARTIFACT_FORMAT_VERSION, DECISION_FORMAT_VERSION, CALIBRATION_FORMAT_VERSION];
export const MANIFEST_FILE = 'manifest.json';

/**
 * manifest.json: the index every other file is checked against. Checked against this schema
 * when read (the format and its version separately, for a clear refusal of other formats).
 */
export const artifactManifestSchema = z.object({
  format: z.literal(ARTIFACT_FORMAT),
  formatVersion: z.number().int(),
  name: z.string(),
  classifier: z.string(),
  sampler: z.string(),
  classes: z.array(z.string()),
  features: z.number().int().nonnegative(),
  files: z.record(
    z.string(),
    z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/), bytes: z.number().int().nonnegative() }),
  ),
});
export type ArtifactManifest = z.output<typeof artifactManifestSchema>;

/** data.json: what the model was trained from. */
export const dataFingerprintSchema = z.object({
  source: z.string(),
  sha256: z.string(),
  rows: z.number().int().nonnegative(),
  classCounts: z.record(z.string(), z.number()),
});
export type DataFingerprint = z.output<typeof dataFingerprintSchema>;

/**
 * decision.json (optional: absent, the predicted class is the most probable one): per-class
 * weights, the class predicted being argmax p[k] * weights[k] (lib/evaluation/decision-weights.ts).
 * The probabilities served stay the model's own.
 */
export const decisionRuleSchema = z.object({
  weights: z.array(z.number().positive().finite()),
  /** The nested cross-validated macro F1 of the chosen candidate without and with the rule (null when it could not be estimated). */
  nestedF1Macro: z.object({ argmax: z.number(), weighted: z.number() }).nullable(),
});
export type DecisionRule = z.output<typeof decisionRuleSchema>;
const DECISION_FILE = 'decision.json';

/**
 * calibration.json (optional): the calibrators every served probability goes through
 * (lib/evaluation/calibrators.ts), before the decision rule picks the class.
 */
export const storedCalibrationSchema = z.object({
  calibration: calibrationSchema,
  /** The nested cross-validated Brier score of the chosen candidate without and with it (null when it could not be estimated). */
  nestedBrier: z.object({ uncalibrated: z.number(), calibrated: z.number() }).nullable(),
});
export type StoredCalibration = z.output<typeof storedCalibrationSchema>;
const CALIBRATION_FILE = 'calibration.json';

/** The format version of a bundle with (or without) each optional file. */
function formatVersionOf(hasDecision: boolean, hasCalibration: boolean): number {
  return hasCalibration ? CALIBRATION_FORMAT_VERSION : hasDecision ? DECISION_FORMAT_VERSION : ARTIFACT_FORMAT_VERSION;
}

interface BundleParts {
  name: string;
  classifier: string;
  sampler: string;
  spec: DatasetSpec;
  /** Fitted for every model (the drift baseline and monitoring read its features); a scorecard does not score through it. */
  preprocessor: PreprocessorState;
  baseline: TrainingBaseline;
  /** Cross-validated metrics of the chosen candidate and the comparison of all candidates. */
  metrics: StoredMetrics;
  /** Classifier and sampler parameters, seed, folds: everything needed to train it again. */
  params: StoredParams;
  data: DataFingerprint;
  decision?: DecisionRule;
  calibration?: StoredCalibration;
}

export interface TreeModelBundle extends BundleParts {
  ensemble: CompiledEnsemble;
  scorecard?: undefined;
}

export interface ScorecardModelBundle extends BundleParts {
  scorecard: StoredScorecard;
  ensemble?: undefined;
}

/** A tree ensemble or a scorecard, with everything that serves either. */
export type ModelBundle = TreeModelBundle | ScorecardModelBundle;

/** How many classes the model scores. */
export function classCountOf(bundle: ModelBundle): number {
  return bundle.ensemble ? bundle.ensemble.classes : bundle.scorecard.fitted.model.classes;
}

/** How many inputs the model reads: the ensemble's encoded features, or the scorecard's columns. */
export function featureCountOf(bundle: ModelBundle): number {
  return bundle.ensemble ? bundle.ensemble.features : bundle.scorecard.fitted.columns.length;
}

/** The bundle's tree ensemble; a scorecard is refused naming what needed the trees. */
export function treeEnsemble(bundle: ModelBundle, purpose: string): CompiledEnsemble {
  if (!bundle.ensemble)
    throw new ArtifactError(`model ${bundle.name} is a scorecard: ${purpose} needs a tree ensemble`);
  return bundle.ensemble;
}

export class ArtifactError extends Error {
  override name = 'ArtifactError';
}

const JSON_FILES = [
  'spec.json',
  'preprocessor.json',
  'baseline.json',
  'metrics.json',
  'params.json',
  'data.json',
] as const;
const ENSEMBLE_FILE = 'ensemble.bin';
const SCORECARD_FILE = 'scorecard.json';
const SCORECARD_TABLE_FILES = ['scorecard-table.csv', 'scorecard-table.json'] as const;

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function jsonBytes(value: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value, null, 2) + '\n');
}

/** The artifact's files by name, manifest included. Same bundle, same bytes. */
export function bundleToFiles(bundle: ModelBundle): Map<string, Uint8Array> {
  const model: [string, Uint8Array][] = bundle.ensemble
    ? [[ENSEMBLE_FILE, bundle.ensemble.toBuffer()]]
    : [
        [SCORECARD_FILE, jsonBytes(bundle.scorecard)],
        [SCORECARD_TABLE_FILES[0], new TextEncoder().encode(scorecardCsv(bundle.scorecard.fitted.card))],
        [SCORECARD_TABLE_FILES[1], jsonBytes(scorecardTable(bundle.scorecard.fitted.card))],
      ];
  const files = new Map<string, Uint8Array>([
    ...model,
    ['spec.json', jsonBytes(bundle.spec)],
    ['preprocessor.json', jsonBytes(bundle.preprocessor)],
    ['baseline.json', jsonBytes(bundle.baseline)],
    ['metrics.json', jsonBytes(bundle.metrics)],
    ['params.json', jsonBytes(bundle.params)],
    ['data.json', jsonBytes(bundle.data)],
  ]);
  if (bundle.decision) files.set(DECISION_FILE, jsonBytes(bundle.decision));
  if (bundle.calibration) files.set(CALIBRATION_FILE, jsonBytes(bundle.calibration));
  const manifest: ArtifactManifest = {
    format: ARTIFACT_FORMAT,
    formatVersion: formatVersionOf(Boolean(bundle.decision), Boolean(bundle.calibration)),
    name: bundle.name,
    classifier: bundle.classifier,
    sampler: bundle.sampler,
    classes: bundle.spec.target.classes,
    features: featureCountOf(bundle),
    files: Object.fromEntries(
      [...files].map(([name, bytes]) => [name, { sha256: sha256(bytes), bytes: bytes.byteLength }]),
    ),
  };
  files.set(MANIFEST_FILE, jsonBytes(manifest));
  return files;
}

/**
 * Reads a bundle back, refusing anything that is not exactly what training wrote: unknown
 * format, missing file, size or sha256 mismatch, unparsable content, inconsistent shapes.
 */
export function filesToBundle(files: Map<string, Uint8Array>): { bundle: ModelBundle; manifest: ArtifactManifest } {
  const manifestBytes = files.get(MANIFEST_FILE);
  if (!manifestBytes) throw new ArtifactError(`${MANIFEST_FILE} is missing`);
  const manifest = readManifest(manifestBytes);
  // calibration.json belongs to version 3 and to no other; decision.json to version 2, or 3 beside a calibration.
  const hasDecision = Boolean(manifest.files[DECISION_FILE]);
  const hasCalibration = Boolean(manifest.files[CALIBRATION_FILE]);
  if ((manifest.formatVersion === CALIBRATION_FORMAT_VERSION) !== hasCalibration) {
    throw new ArtifactError(
      `format version ${manifest.formatVersion} ${hasCalibration ? 'cannot carry' : 'needs'} ${CALIBRATION_FILE}`,
    );
  }
  if (formatVersionOf(hasDecision, hasCalibration) !== manifest.formatVersion) {
    throw new ArtifactError(
      `format version ${manifest.formatVersion} ${hasDecision ? 'cannot carry' : 'needs'} ${DECISION_FILE}`,
    );
  }
  const optional = [...(hasDecision ? [DECISION_FILE] : []), ...(hasCalibration ? [CALIBRATION_FILE] : [])];
  const isScorecard = Boolean(manifest.files[SCORECARD_FILE]);
  if (isScorecard && manifest.files[ENSEMBLE_FILE])
    throw new ArtifactError(
      `the manifest lists both ${ENSEMBLE_FILE} and ${SCORECARD_FILE}: a model is one or the other`,
    );
  const modelFiles = isScorecard ? [SCORECARD_FILE, ...SCORECARD_TABLE_FILES] : [ENSEMBLE_FILE];
  for (const name of [...modelFiles, ...JSON_FILES, ...optional]) {
    const entry = manifest.files?.[name];
    const bytes = files.get(name);
    if (!entry) throw new ArtifactError(`manifest does not list ${name}`);
    if (!bytes) throw new ArtifactError(`${name} is missing`);
    if (bytes.byteLength !== entry.bytes)
      throw new ArtifactError(`${name} has ${bytes.byteLength} bytes, manifest says ${entry.bytes}`);
    if (sha256(bytes) !== entry.sha256) throw new ArtifactError(`${name} fails its sha256 check`);
  }
  const spec = parseStoredSpec(parseJson(files.get('spec.json')!, 'spec.json'), 'spec.json');
  const preprocessor = checked(
    preprocessorStateSchema,
    parseJson(files.get('preprocessor.json')!, 'preprocessor.json'),
    'preprocessor.json',
  );
  const model = isScorecard
    ? { scorecard: readScorecard(files.get(SCORECARD_FILE)!) }
    : { ensemble: readEnsemble(files.get(ENSEMBLE_FILE)!, preprocessor) };
  const classes = model.scorecard ? model.scorecard.fitted.model.classes : model.ensemble!.classes;
  const what = isScorecard ? 'the scorecard' : 'the ensemble';
  if (spec.target.classes.length !== classes) {
    throw new ArtifactError(`spec has ${spec.target.classes.length} classes, ${what} ${classes}`);
  }
  const parts: BundleParts = {
    name: manifest.name,
    classifier: manifest.classifier,
    sampler: manifest.sampler,
    spec,
    preprocessor,
    baseline: checked(trainingBaselineSchema, parseJson(files.get('baseline.json')!, 'baseline.json'), 'baseline.json'),
    metrics: checked(storedMetricsSchema, parseJson(files.get('metrics.json')!, 'metrics.json'), 'metrics.json'),
    params: checked(storedParamsSchema, parseJson(files.get('params.json')!, 'params.json'), 'params.json'),
    data: checked(dataFingerprintSchema, parseJson(files.get('data.json')!, 'data.json'), 'data.json'),
  };
  const bundle: ModelBundle = model.scorecard
    ? { ...parts, scorecard: model.scorecard }
    : { ...parts, ensemble: model.ensemble! };
  if (hasDecision) {
    bundle.decision = checked(decisionRuleSchema, parseJson(files.get(DECISION_FILE)!, DECISION_FILE), DECISION_FILE);
    if (bundle.decision.weights.length !== classes)
      throw new ArtifactError(
        `${DECISION_FILE} has ${bundle.decision.weights.length} weights, ${what} ${classes} classes`,
      );
  }
  if (hasCalibration) {
    bundle.calibration = checked(
      storedCalibrationSchema,
      parseJson(files.get(CALIBRATION_FILE)!, CALIBRATION_FILE),
      CALIBRATION_FILE,
    );
    const expected = classes === 2 ? 1 : classes;
    const count = bundle.calibration.calibration.calibrators.length;
    if (count !== expected)
      throw new ArtifactError(
        `${CALIBRATION_FILE} has ${count} calibrators, ${what}'s ${classes} classes need ${expected}`,
      );
  }
  return { bundle, manifest };
}

function readEnsemble(bytes: Uint8Array, preprocessor: PreprocessorState): CompiledEnsemble {
  let ensemble: CompiledEnsemble;
  try {
    ensemble = CompiledEnsemble.fromBuffer(bytes);
  } catch (err) {
    throw new ArtifactError(`${ENSEMBLE_FILE}: ${(err as Error).message}`);
  }
  if (preprocessor.featureNames?.length !== ensemble.features) {
    throw new ArtifactError(
      `preprocessor makes ${preprocessor.featureNames?.length} features, the ensemble expects ${ensemble.features}`,
    );
  }
  return ensemble;
}

/** scorecard.json, parsed by its schema: a damaged file is refused naming the file and the first problem. */
function readScorecard(bytes: Uint8Array): StoredScorecard {
  return checked(storedScorecardSchema, parseJson(bytes, SCORECARD_FILE), SCORECARD_FILE);
}

/** The manifest, refused with the reason when it is not one of this format and version. */
export function readManifest(bytes: Uint8Array): ArtifactManifest {
  const json = parseJson<{ format?: unknown; formatVersion?: unknown }>(bytes, MANIFEST_FILE);
  if (json?.format !== ARTIFACT_FORMAT)
    throw new ArtifactError(`not a model artifact (format ${JSON.stringify(json?.format)})`);
  if (!READABLE_VERSIONS.includes(json.formatVersion as number)) {
    throw new ArtifactError(
      `artifact format version ${JSON.stringify(json.formatVersion)} is not supported (expected ${READABLE_VERSIONS.join(' or ')})`,
    );
  }
  return checked(artifactManifestSchema, json, MANIFEST_FILE);
}

function checked<S extends z.ZodType>(schema: S, value: unknown, name: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success)
    throw new ArtifactError(
      `${name}: ${parsed.error.issues[0]?.path.join('.') || '(file)'}: ${parsed.error.issues[0]?.message}`,
    );
  return parsed.data;
}

function parseJson<T>(bytes: Uint8Array, name: string): T {
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as T;
  } catch (err) {
    throw new ArtifactError(`${name} is not valid JSON (${(err as Error).message})`);
  }
}
