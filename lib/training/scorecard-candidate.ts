/**
 * The scorecard as a training candidate: fitted on a fold's cleaned rows (lib/scorecard/columns.ts
 * says why not on the preprocessor's features), its binning fitted on the training rows only
 * like every preprocessing step, and the test rows scored into probabilities the CV judges as
 * it judges the trees'.
 */
import type { CleanRow } from '../data/clean-record.ts';
import type { DatasetSpec } from '../data/spec.ts';
import type { FeatureColumn } from '../scorecard/binning.ts';
import { planColumns, readColumns, rowValues, type ColumnPlan } from '../scorecard/columns.ts';
import type { FeatureValue } from '../scorecard/feature-binning.ts';
import { SCALING_DEFAULTS } from '../scorecard/points.ts';
import {
  fitScorecard,
  ScorecardPredictor,
  tunedScorecardParams,
  type ScorecardParams,
  type ScorecardTuning,
} from '../scorecard/scorecard-model.ts';
import type { StoredScorecard } from '../scorecard/stored-scorecard.ts';
import type { TunedParams } from './tuned-params.ts';

/** What a fold gives a scorecard: the training rows' columns and each test row's values. */
export interface ScorecardFold {
  plan: ColumnPlan;
  train: FeatureColumn[];
  /** Each test row's values, in the plan's column order. */
  test: FeatureValue[][];
  params: Partial<ScorecardParams>;
}

/** The scorecard's settings a spec states (its `scorecard` field); the rest are the core's defaults. */
export function scorecardParamsOf(spec: DatasetSpec): Partial<ScorecardParams> {
  const s = spec.scorecard;
  const eventClass = s?.eventClass === undefined ? undefined : spec.target.classes.indexOf(s.eventClass);
  return {
    ...(eventClass !== undefined ? { eventClass } : {}),
    scaling: {
      baseScore: s?.baseScore ?? SCALING_DEFAULTS.baseScore,
      baseOdds: s?.baseOdds ?? SCALING_DEFAULTS.baseOdds,
      pdo: s?.pdo ?? SCALING_DEFAULTS.pdo,
    },
  };
}

/** A scorecard's settings with a tuned configuration's (lib/tuning/search-space.ts draws them for the scorecard) laid over them. */
export function withTuning(params: Partial<ScorecardParams>, config: TunedParams): Partial<ScorecardParams> {
  const tuned = tunedScorecardParams(config.classifier as Partial<ScorecardTuning>);
  return { ...params, ...tuned, binning: { ...params.binning, ...tuned.binning } };
}

export function prepareScorecardFold(
  spec: DatasetSpec,
  rows: CleanRow[],
  fold: { train: Int32Array; test: Int32Array },
): ScorecardFold {
  const plan = planColumns(spec, rows, fold.train);
  return {
    plan,
    train: readColumns(plan, rows, fold.train),
    test: Array.from(fold.test, (i) => rowValues(plan, rows[i])),
    params: scorecardParamsOf(spec),
  };
}

/** A scorecard fitted on `columns` (made by `plan`) with labels `y` of `classes` classes. */
export function fitStoredScorecard(
  plan: ColumnPlan,
  columns: FeatureColumn[],
  y: Int32Array,
  classes: number,
  params: Partial<ScorecardParams>,
): StoredScorecard {
  return { plan, fitted: fitScorecard(columns, y, classes, params) };
}

/** Probabilities (rows x classes) of rows of values. */
export function scorecardProbabilities(stored: StoredScorecard, rows: FeatureValue[][]): Float64Array {
  const predictor = new ScorecardPredictor(stored.fitted);
  const K = stored.fitted.model.classes;
  const out = new Float64Array(rows.length * K);
  for (let i = 0; i < rows.length; i++) predictor.predictRow(rows[i], out.subarray(i * K, (i + 1) * K));
  return out;
}
