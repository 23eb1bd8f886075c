/**
 * A whole scorecard fitted in one call, as a training candidate will fit it on each CV fold:
 * binning against the event class, logistic regression on the WoE matrix, points. Plain JSON
 * (an artifact can store it as is), and a predictor that scores one row of cleaned values.
 */
import { eventIndicator, fitBinning, type Binning, type FeatureColumn } from './binning.ts';
import type { BinningParams } from './binning-params.ts';
import { BinLookup, type FeatureValue } from './feature-binning.ts';
import { fitWithExpectedSigns } from './expected-signs.ts';
import { probabilitiesFromMargins, type LogisticModel } from './logistic-regression.ts';
import {
  buildScorecard,
  reasonCodes,
  SCALING_DEFAULTS,
  type PointsScaling,
  type ReasonCode,
  type Scorecard,
} from './points.ts';

export interface ScorecardParams {
  binning: Partial<BinningParams>;
  /** Inverse L2 strength of the regression (scikit-learn's C). */
  C: number;
  scaling: PointsScaling;
  /** The bad outcome the bins are fitted against; default the last class. */
  eventClass?: number;
  /** The good outcome whose odds against the event the points measure; default the first class other than the event. */
  goodClass?: number;
  /** Drop characteristics whose coefficient has the wrong sign and refit (expected-signs.ts); default true. */
  signCheck?: boolean;
}

export const SCORECARD_DEFAULTS: ScorecardParams = { binning: {}, C: 1, scaling: SCALING_DEFAULTS };

/** What tuning searches (lib/tuning/search-space.ts), flat as a tree's parameters are: the binning's knobs and the regression's C. */
export type ScorecardTuning = BinningParams & { C: number };

/** The fit's parameters a tuned configuration sets: its C, the rest the binning's. */
export function tunedScorecardParams({
  C,
  ...binning
}: Partial<ScorecardTuning>): Pick<Partial<ScorecardParams>, 'binning' | 'C'> {
  return { binning, ...(C === undefined ? {} : { C }) };
}

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

export function fitScorecard(
  columns: FeatureColumn[],
  y: Int32Array,
  classes: number,
  overrides: Partial<ScorecardParams> = {},
): FittedScorecard {
  const params = { ...SCORECARD_DEFAULTS, ...overrides };
  const eventClass = params.eventClass ?? classes - 1;
  const goodClass = params.goodClass ?? (eventClass === 0 ? 1 : 0);
  if (eventClass === goodClass || eventClass < 0 || eventClass >= classes || goodClass < 0 || goodClass >= classes) {
    throw new RangeError(
      `eventClass ${eventClass} and goodClass ${goodClass} must be two different classes below ${classes}`,
    );
  }
  const binned = fitBinning(columns, eventIndicator(y, eventClass), params.binning);
  const fit = fitWithExpectedSigns(binned.features, columns, y, classes, {
    C: params.C,
    goodClass,
    eventClass,
    signCheck: params.signCheck ?? true,
  });
  const binning: Binning = { ...binned, features: fit.features, dropped: [...binned.dropped, ...fit.dropped] };
  return {
    columns: columns.map((c) => c.name),
    binning,
    model: fit.model,
    eventClass,
    goodClass,
    card: buildScorecard(binning.features, fit.line, params.scaling),
  };
}

/**
 * Scores rows of cleaned values given in the order of `FittedScorecard.columns`. Per feature and
 * bin it keeps the bin's term of each class margin (coefficient x WoE) and its points, so a row
 * costs one bin lookup and a few additions per feature.
 */
export class ScorecardPredictor {
  private readonly lookups: BinLookup[];
  private readonly columnOf: Int32Array;
  /**
   * Every feature's bins in one array (one cache-friendly read per feature): from `at[j]`, per
   * bin its M margin terms coef[k][j] x WoE, then its points (stride M + 1).
   */
  private readonly table: Float64Array;
  private readonly at: Int32Array;
  private readonly margins: Float64Array;
  private readonly intercept: Float64Array;
  readonly bins: Int32Array;

  constructor(readonly fitted: FittedScorecard) {
    const { binning, model, card } = fitted;
    const features = binning.features;
    this.lookups = features.map((f) => new BinLookup(f));
    this.columnOf = Int32Array.from(features, (f) => fitted.columns.indexOf(f.name));
    const absent = features.find((_, j) => this.columnOf[j] < 0);
    if (absent) throw new RangeError(`feature ${absent.name} is not among the scorecard's columns`);
    const M = model.coef.length;
    this.at = new Int32Array(features.length);
    const table: number[] = [];
    features.forEach((f, j) => {
      this.at[j] = table.length;
      f.bins.forEach((b, i) => table.push(...model.coef.map((row) => row[j] * b.woe), card.features[j].bins[i].points));
    });
    this.table = Float64Array.from(table);
    this.intercept = Float64Array.from(model.intercept);
    this.margins = new Float64Array(M);
    this.bins = new Int32Array(features.length);
  }

  /** Class probabilities into `proba` (classes long); returns the score in points. `bins` then holds the row's bins. */
  predictRow(values: readonly FeatureValue[], proba: Float64Array): number {
    for (let j = 0; j < this.lookups.length; j++) this.bins[j] = this.lookups[j].binOf(values[this.columnOf[j]]);
    return this.predictBins(proba);
  }

  /** predictRow for a row whose bins the caller wrote into `bins` (lib/scorecard/row-binner.ts). */
  predictBins(proba: Float64Array): number {
    const { margins, table, at, bins } = this;
    const M = margins.length;
    margins.set(this.intercept);
    let score = 0;
    for (let j = 0; j < at.length; j++) {
      const from = at[j] + bins[j] * (M + 1);
      for (let k = 0; k < M; k++) margins[k] += table[from + k];
      score += table[from + M];
    }
    probabilitiesFromMargins(margins, this.fitted.model.classes, proba);
    return score;
  }
  /** The reason codes of the last row predicted. */
  reasons(): ReasonCode[] {
    return reasonCodes(this.fitted.card, this.bins);
  }
}
