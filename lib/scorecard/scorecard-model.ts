/**
 * A whole scorecard fitted in one call, as a training candidate will fit it on each CV fold:
 * binning against the event class, logistic regression on the WoE matrix, points. Plain JSON
 * (an artifact can store it as is), and a predictor that scores one row of cleaned values.
 */
import { eventIndicator, fitBinning, woeMatrix, type Binning, type FeatureColumn } from './binning.ts';
import type { BinningParams } from './binning-params.ts';
import { BinLookup, type FeatureValue } from './feature-binning.ts';
import { fitLogisticRegression, predictLogistic, type LogisticModel } from './logistic-regression.ts';
import { buildScorecard, logOddsLine, reasonCodes, SCALING_DEFAULTS, scoreOf, type PointsScaling, type ReasonCode, type Scorecard } from './points.ts';

export interface ScorecardParams {
  binning: Partial<BinningParams>;
  /** Inverse L2 strength of the regression (scikit-learn's C). */
  C: number;
  scaling: PointsScaling;
  /** The bad outcome the bins are fitted against; default the last class. */
  eventClass?: number;
  /** The good outcome whose odds against the event the points measure; default the first class other than the event. */
  goodClass?: number;
}

export const SCORECARD_DEFAULTS: ScorecardParams = { binning: {}, C: 1, scaling: SCALING_DEFAULTS };

export interface FittedScorecard {
  /** The columns the predictor reads, in the order it reads them (all columns given to fit). */
  columns: string[];
  binning: Binning;
  model: LogisticModel;
  eventClass: number;
  goodClass: number;
  /** Points for the odds of goodClass against eventClass. */
  card: Scorecard;
}

export function fitScorecard(columns: FeatureColumn[], y: Int32Array, classes: number, overrides: Partial<ScorecardParams> = {}): FittedScorecard {
  const params = { ...SCORECARD_DEFAULTS, ...overrides };
  const eventClass = params.eventClass ?? classes - 1;
  const goodClass = params.goodClass ?? (eventClass === 0 ? 1 : 0);
  if (eventClass === goodClass || eventClass < 0 || eventClass >= classes || goodClass < 0 || goodClass >= classes) {
    throw new RangeError(`eventClass ${eventClass} and goodClass ${goodClass} must be two different classes below ${classes}`);
  }
  const binning = fitBinning(columns, eventIndicator(y, eventClass), params.binning);
  const { X, rows, features } = woeMatrix(binning.features, columns);
  const model = fitLogisticRegression({ X, rows, features, y, classes }, { C: params.C });
  return {
    columns: columns.map((c) => c.name),
    binning,
    model,
    eventClass,
    goodClass,
    card: buildScorecard(binning.features, logOddsLine(model, goodClass, eventClass), params.scaling),
  };
}

/** Scores rows of cleaned values given in the order of `FittedScorecard.columns`. */
export class ScorecardPredictor {
  private readonly lookups: BinLookup[];
  private readonly columnOf: Int32Array;
  private readonly woe: Float64Array;
  readonly bins: Int32Array;

  constructor(readonly fitted: FittedScorecard) {
    const features = fitted.binning.features;
    this.lookups = features.map((f) => new BinLookup(f));
    this.columnOf = Int32Array.from(features, (f) => fitted.columns.indexOf(f.name));
    const absent = features.find((_, j) => this.columnOf[j] < 0);
    if (absent) throw new RangeError(`feature ${absent.name} is not among the scorecard's columns`);
    this.woe = new Float64Array(features.length);
    this.bins = new Int32Array(features.length);
  }

  /** Class probabilities into `proba` (classes long); returns the score in points. `bins` then holds the row's bins. */
  predictRow(values: readonly FeatureValue[], proba: Float64Array): number {
    for (let j = 0; j < this.lookups.length; j++) {
      const bin = this.lookups[j].binOf(values[this.columnOf[j]]);
      this.bins[j] = bin;
      this.woe[j] = this.lookups[j].feature.bins[bin].woe;
    }
    predictLogistic(this.fitted.model, this.woe, 0, proba);
    return scoreOf(this.fitted.card, this.bins);
  }

  /** The reason codes of the last row predicted. */
  reasons(): ReasonCode[] {
    return reasonCodes(this.fitted.card, this.bins);
  }
}
