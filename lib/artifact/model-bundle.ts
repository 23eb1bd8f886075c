/**
 * The model artifact, the contract between training and serving: one immutable bundle of
 * files (compiled ensemble, fitted preprocessor, spec, drift baseline, metrics, parameters,
 * data fingerprint) indexed by a manifest that carries a sha256 per file and a format version.
 * Serving re-derives nothing: it loads these files and verifies every checksum first.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { parseStoredSpec, type DatasetSpec } from '../data/spec.ts';
import type { PreprocessorState } from '../data/preprocessor.ts';
import type { TrainingBaseline } from '../drift/baseline.ts';
import { CompiledEnsemble } from '../trees/compiled-ensemble.ts';
import { calibrationSchema } from '../evaluation/calibrators.ts';

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
  files: z.record(z.string(), z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/), bytes: z.number().int().nonnegative() })),
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

export interface ModelBundle {
  name: string;
  classifier: string;
  sampler: string;
  spec: DatasetSpec;
  preprocessor: PreprocessorState;
  ensemble: CompiledEnsemble;
  baseline: TrainingBaseline;
  /** Cross-validated metrics of the chosen candidate and the comparison of all candidates. */
  metrics: unknown;
  /** Classifier and sampler parameters, seed, folds: everything needed to train it again. */
  params: unknown;
  data: DataFingerprint;
  decision?: DecisionRule;
  calibration?: StoredCalibration;
}

export class ArtifactError extends Error {
  override name = 'ArtifactError';
}

const JSON_FILES = ['spec.json', 'preprocessor.json', 'baseline.json', 'metrics.json', 'params.json', 'data.json'] as const;
const ENSEMBLE_FILE = 'ensemble.bin';

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function jsonBytes(value: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value, null, 2) + '\n');
}

/** The artifact's files by name, manifest included. Same bundle, same bytes. */
export function bundleToFiles(bundle: ModelBundle): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>([
    [ENSEMBLE_FILE, bundle.ensemble.toBuffer()],
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
    features: bundle.ensemble.features,
    files: Object.fromEntries([...files].map(([name, bytes]) => [name, { sha256: sha256(bytes), bytes: bytes.byteLength }])),
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
    throw new ArtifactError(`format version ${manifest.formatVersion} ${hasCalibration ? 'cannot carry' : 'needs'} ${CALIBRATION_FILE}`);
  }
  if (formatVersionOf(hasDecision, hasCalibration) !== manifest.formatVersion) {
    throw new ArtifactError(`format version ${manifest.formatVersion} ${hasDecision ? 'cannot carry' : 'needs'} ${DECISION_FILE}`);
  }
  const optional = [...(hasDecision ? [DECISION_FILE] : []), ...(hasCalibration ? [CALIBRATION_FILE] : [])];
  for (const name of [ENSEMBLE_FILE, ...JSON_FILES, ...optional]) {
    const entry = manifest.files?.[name];
    const bytes = files.get(name);
    if (!entry) throw new ArtifactError(`manifest does not list ${name}`);
    if (!bytes) throw new ArtifactError(`${name} is missing`);
    if (bytes.byteLength !== entry.bytes) throw new ArtifactError(`${name} has ${bytes.byteLength} bytes, manifest says ${entry.bytes}`);
    if (sha256(bytes) !== entry.sha256) throw new ArtifactError(`${name} fails its sha256 check`);
  }
  let ensemble: CompiledEnsemble;
  try {
    ensemble = CompiledEnsemble.fromBuffer(files.get(ENSEMBLE_FILE)!);
  } catch (err) {
    throw new ArtifactError(`${ENSEMBLE_FILE}: ${(err as Error).message}`);
  }
  const spec = parseStoredSpec(parseJson(files.get('spec.json')!, 'spec.json'), 'spec.json');
  const preprocessor = parseJson<PreprocessorState>(files.get('preprocessor.json')!, 'preprocessor.json');
  if (preprocessor.featureNames?.length !== ensemble.features) {
    throw new ArtifactError(`preprocessor makes ${preprocessor.featureNames?.length} features, the ensemble expects ${ensemble.features}`);
  }
  if (spec.target.classes.length !== ensemble.classes) {
    throw new ArtifactError(`spec has ${spec.target.classes.length} classes, the ensemble ${ensemble.classes}`);
  }
  const bundle: ModelBundle = {
    name: manifest.name,
    classifier: manifest.classifier,
    sampler: manifest.sampler,
    spec,
    preprocessor,
    ensemble,
    baseline: parseJson(files.get('baseline.json')!, 'baseline.json'),
    metrics: parseJson(files.get('metrics.json')!, 'metrics.json'),
    params: parseJson(files.get('params.json')!, 'params.json'),
    data: checked(dataFingerprintSchema, parseJson(files.get('data.json')!, 'data.json'), 'data.json'),
  };
  if (hasDecision) {
    bundle.decision = checked(decisionRuleSchema, parseJson(files.get(DECISION_FILE)!, DECISION_FILE), DECISION_FILE);
    if (bundle.decision.weights.length !== ensemble.classes) throw new ArtifactError(`${DECISION_FILE} has ${bundle.decision.weights.length} weights, the ensemble ${ensemble.classes} classes`);
  }
  if (hasCalibration) {
    bundle.calibration = checked(storedCalibrationSchema, parseJson(files.get(CALIBRATION_FILE)!, CALIBRATION_FILE), CALIBRATION_FILE);
    const expected = ensemble.classes === 2 ? 1 : ensemble.classes;
    const count = bundle.calibration.calibration.calibrators.length;
    if (count !== expected) throw new ArtifactError(`${CALIBRATION_FILE} has ${count} calibrators, the ensemble's ${ensemble.classes} classes need ${expected}`);
  }
  return { bundle, manifest };
}

/** The manifest, refused with the reason when it is not one of this format and version. */
export function readManifest(bytes: Uint8Array): ArtifactManifest {
  const json = parseJson<{ format?: unknown; formatVersion?: unknown }>(bytes, MANIFEST_FILE);
  if (json?.format !== ARTIFACT_FORMAT) throw new ArtifactError(`not a model artifact (format ${JSON.stringify(json?.format)})`);
  if (!READABLE_VERSIONS.includes(json.formatVersion as number)) {
    throw new ArtifactError(`artifact format version ${JSON.stringify(json.formatVersion)} is not supported (expected ${READABLE_VERSIONS.join(' or ')})`);
  }
  return checked(artifactManifestSchema, json, MANIFEST_FILE);
}

function checked<S extends z.ZodType>(schema: S, value: unknown, name: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new ArtifactError(`${name}: ${parsed.error.issues[0]?.path.join('.') || '(file)'}: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

function parseJson<T>(bytes: Uint8Array, name: string): T {
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as T;
  } catch (err) {
    throw new ArtifactError(`${name} is not valid JSON (${(err as Error).message})`);
  }
}
