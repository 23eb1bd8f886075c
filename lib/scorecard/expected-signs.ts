/**
 * The wrong-sign rule: a characteristic whose coefficient runs against its weight of evidence is
 * dropped and the regression refitted, one characteristic at a time, until every kept one has
 * the expected sign (SAS Credit Scoring; Siddiqi, "Credit Risk Scorecards": a credit
 * committee refuses a points table in which the riskier bin earns more points).
 *
 * The sign, for this code's conventions (docs/scorecard.md, "Expected signs"):
 * - WoE = ln(share of non-events / share of events) (woe.ts): a HIGHER WoE is a SAFER bin.
 * - The points read the log-odds of `goodClass` against `eventClass` (points.ts logOddsLine):
 *   ln(odds) = a + sum_j b_j x WoE_j, and bin i of feature j earns factor x b_j x WoE_ij plus a
 *   constant. So b_j > 0 gives the safest bin the most points; b_j < 0 gives the riskiest bin the
 *   most. The expected sign is b_j >= 0 (0: every bin worth the same, nothing runs backwards).
 *   With two classes b_j is minus the event's coefficient in the regression (scikit-learn's
 *   coef_ for class 1), so there the event's own coefficient must be <= 0.
 * - With several classes b_j = coef[good][j] - coef[event][j], the only line the points table
 *   shows; the softmax's other rows (e.g. Standard against Poor) are not checked, as no table
 *   reads them and the bins are fitted against the event alone.
 */
import type { DroppedFeature, FeatureColumn } from './binning.ts';
import { woeMatrix } from './binning.ts';
import type { FeatureBinning } from './feature-binning.ts';
import { fitLogisticRegression, type LogisticModel } from './logistic-regression.ts';
import { logOddsLine, type LogOddsLine } from './points.ts';

/** The rule, stated once: `coefficient` is the characteristic's b_j on the card's log-odds line (good against event). */
export function hasWrongSign(coefficient: number): boolean {
  return coefficient < 0;
}

export interface SignCheckOptions {
  C: number;
  goodClass: number;
  eventClass: number;
  /** false: fit once and keep every characteristic whatever its sign (default true). */
  signCheck: boolean;
}

export interface SignCheckedFit {
  /** The characteristics kept, in their original order: the columns of `model`. */
  features: FeatureBinning[];
  model: LogisticModel;
  line: LogOddsLine;
  /** The characteristics dropped for their sign, in the order they were dropped. */
  dropped: DroppedFeature[];
}

/**
 * Fits the regression on the WoE of `features`; while a kept characteristic has the wrong sign,
 * drops the one whose coefficient is most negative (ties: the first) and refits. Only one goes
 * per refit: dropping one of two collinear characteristics usually sets the other's sign right.
 * At most features.length + 1 fits.
 */
export function fitWithExpectedSigns(
  features: FeatureBinning[],
  columns: FeatureColumn[],
  y: Int32Array,
  classes: number,
  options: SignCheckOptions,
): SignCheckedFit {
  const all = woeMatrix(features, columns);
  let kept = features.map((_, j) => j);
  const dropped: DroppedFeature[] = [];
  let previous: { model: LogisticModel; without: number } | null = null;
  for (let fit = 0; fit <= features.length; fit++) {
    const X = selectColumns(all.X, all.rows, all.features, kept);
    // Each refit starts from the last solution less the dropped column: a few Newton steps instead of a fit from 0.
    const start = previous
      ? {
          coef: previous.model.coef.map((row) => row.filter((_, c) => c !== previous!.without)),
          intercept: previous.model.intercept,
        }
      : undefined;
    const model = fitLogisticRegression(
      { X, rows: all.rows, features: kept.length, y, classes },
      { C: options.C },
      start,
    );
    const line = logOddsLine(model, options.goodClass, options.eventClass);
    const worst = mostNegative(line.coef);
    if (!options.signCheck || worst < 0) return { features: kept.map((j) => features[j]), model, line, dropped };
    const j = kept[worst];
    const others = kept.filter((k) => k !== j);
    const beside = mostCorrelated(all.X, all.rows, all.features, j, others);
    dropped.push({
      name: features[j].name,
      iv: features[j].iv,
      wrongSign: {
        coefficient: line.coef[worst],
        beside: beside ? features[beside.column].name : null,
        correlation: beside?.correlation ?? null,
      },
    });
    kept = others;
    previous = { model, without: worst };
  }
  // Unreachable: each pass drops one characteristic, and with none left no coefficient is wrong.
  throw new Error('sign check did not settle');
}

/** Index of the most negative wrong-signed coefficient, or -1 when every sign is as expected. */
function mostNegative(coef: readonly number[]): number {
  let worst = -1;
  for (let j = 0; j < coef.length; j++) if (hasWrongSign(coef[j]) && (worst < 0 || coef[j] < coef[worst])) worst = j;
  return worst;
}

/** The columns `keep` of a row-major rows x p matrix, in that order. */
function selectColumns(X: Float64Array, rows: number, p: number, keep: readonly number[]): Float64Array {
  const q = keep.length;
  const out = new Float64Array(rows * q);
  for (let i = 0; i < rows; i++) for (let c = 0; c < q; c++) out[i * q + c] = X[i * p + keep[c]];
  return out;
}

/**
 * The kept characteristic whose WoE correlates most with column j's (largest |Pearson r| over the
 * training rows): named in the drop's reason as the one it was collinear with. Null when no other
 * column varies.
 */
function mostCorrelated(
  X: Float64Array,
  rows: number,
  p: number,
  j: number,
  others: readonly number[],
): { column: number; correlation: number } | null {
  let best: { column: number; correlation: number } | null = null;
  for (const k of others) {
    const r = pearson(X, rows, p, j, k);
    if (Number.isFinite(r) && (best === null || Math.abs(r) > Math.abs(best.correlation)))
      best = { column: k, correlation: r };
  }
  return best;
}

function pearson(X: Float64Array, rows: number, p: number, a: number, b: number): number {
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < rows; i++) {
    ma += X[i * p + a];
    mb += X[i * p + b];
  }
  ma /= rows;
  mb /= rows;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < rows; i++) {
    const da = X[i * p + a] - ma;
    const db = X[i * p + b] - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  return sab / Math.sqrt(saa * sbb);
}
