/** `credit-score train`: its options and help (scripts/train.ts runs it). */
import { SAMPLER_NAMES } from '../../../lib/sampling/sampler-names.ts';
import {
  CLASSIFIER_NAMES,
  DEFAULT_CLASSIFIERS,
  SCORECARD_SAMPLER_RULE,
} from '../../../lib/training/classifier-names.ts';
import { TUNE_DEFAULTS } from '../../../lib/tuning/search-space.ts';
import { DECISION_RULE_MODES, DEFAULT_DECISION_RULE } from '../../../lib/training/decision-rule.ts';
import { DEFAULT_SELECTION_METRIC, SELECTION_METRICS } from '../../../lib/training/selection-metric.ts';
import { CALIBRATION_MODES, DEFAULT_CALIBRATION } from '../../../lib/training/calibration-choice.ts';
import type { CommandSpec } from '../command.ts';
import { DATASET_HELP, DATASET_OPTIONS } from '../defaults.ts';
import { NAME_HELP } from '../model-name.ts';

const options = {
  ...DATASET_OPTIONS,
  classifiers: { type: 'string', default: DEFAULT_CLASSIFIERS.join(',') },
  samplers: { type: 'string', default: SAMPLER_NAMES.join(',') },
  jobs: { type: 'string', default: '0' },
  'early-stopping': { type: 'string', default: '0' },
  tune: { type: 'boolean', default: false },
  'tune-budget': { type: 'string', default: String(TUNE_DEFAULTS.budget) },
  'tune-candidates': { type: 'string', default: String(TUNE_DEFAULTS.candidates) },
  out: { type: 'string' },
  report: { type: 'string' },
  quiet: { type: 'boolean', default: false },
  register: { type: 'boolean', default: false },
  name: { type: 'string' },
  strict: { type: 'boolean', default: false },
  // No default here: it depends on --metric (auto for macro F1, off for the others).
  'decision-rule': { type: 'string' },
  metric: { type: 'string', default: DEFAULT_SELECTION_METRIC },
  calibration: { type: 'string', default: DEFAULT_CALIBRATION },
} as const;

export const TRAIN: CommandSpec<typeof options> = {
  name: 'train',
  script: 'train.ts',
  npmScript: 'train',
  title: 'cross-validate the candidates on a labelled CSV, save the best as an artifact',
  summary:
    'Cross-validates every classifier x sampler candidate on a labelled CSV and saves the best, refit on all rows, as a model artifact.',
  options,
  help: {
    ...DATASET_HELP,
    classifiers: {
      value: 'LIST',
      text: `classifiers to try, comma-separated, of ${CLASSIFIER_NAMES.join(', ')}; ${SCORECARD_SAMPLER_RULE}`,
    },
    samplers: { value: 'LIST', text: 'samplers to try, comma-separated' },
    jobs: { value: 'N', text: 'training threads: 0 every core, 1 this thread only' },
    'early-stopping': {
      value: 'N',
      text: 'boosting stops after N rounds without a lower log loss on a held-out tenth of the training rows, keeping the best (0: off)',
    },
    tune: {
      text: 'tune the best candidates by nested cross-validation (successive halving in each training fold); keep a tuned one only if its nested score is higher',
    },
    'tune-budget': { value: 'N', text: 'fits per search (each outer fold, and the final one on all rows)' },
    'tune-candidates': { value: 'N', text: 'how many of the best default candidates are tuned' },
    out: { value: 'DIR', text: 'artifact directory (default: models/<spec name>)' },
    report: { value: 'FILE', text: 'also write the JSON training report there' },
    quiet: { text: 'no progress output' },
    register: {
      text: "also upload the artifact to the registry as a new version (npm start's store, or S3_ENDPOINT's; no alias moves)",
    },
    name: { value: NAME_HELP.value, text: `with --register: ${NAME_HELP.text}` },
    strict: { text: 'refuse CSV columns the spec does not list (default: warn)' },
    'decision-rule': {
      value: DECISION_RULE_MODES.join('|'),
      text: `per-class weights on the probabilities for macro F1: auto applies them if their nested gain passes a paired t-test over the folds (default: ${DEFAULT_DECISION_RULE} with --metric f1_macro, off with the others)`,
    },
    metric: {
      value: SELECTION_METRICS.join('|'),
      text: 'what picks the best candidate and the tuned configuration: macro F1, ROC AUC, KS, average precision or accuracy',
    },
    calibration: {
      value: CALIBRATION_MODES.join('|'),
      text: 'calibrate the probabilities served (fitted on out-of-fold predictions): auto keeps the method with the lower nested Brier score if it beats none',
    },
  },
  notes: [
    'The output paths are checked before training starts. Exit codes: 0 done, 1 failed (bad data, spec or artifact), 2 bad command line.',
  ],
};
