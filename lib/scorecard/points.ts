/**
 * Points: the scorecard's log-odds rescaled so that `baseScore` points mean odds of `baseOdds`
 * good to bad, and every `pdo` more points double the odds:
 *   score = offset + factor x ln(odds),  factor = pdo / ln 2,  offset = baseScore - factor x ln(baseOdds).
 * With ln(odds) = a + sum_j b_j x WoE_j (a linear model on n WoE features), feature j's bin i is worth
 *   points_ij = factor x (b_j x WoE_ij + a / n) + offset / n,
 * the intercept and offset spread evenly over the features, so a row's score is the sum of its
 * bins' points and converts back to the model's probability exactly. Points are kept unrounded
 * (a display may round them; the score must invert to the probability).
 */
import type { FeatureBinning } from './feature-binning.ts';
import type { LogisticModel } from './logistic-regression.ts';

export interface PointsScaling {
  baseScore: number;
  /** Good-to-bad odds at baseScore (50 means 50:1). */
  baseOdds: number;
  /** Points to double the odds. */
  pdo: number;
}

/** 600 points at 50:1, 20 points to double: a common choice in the industry, any positive values work. */
export const SCALING_DEFAULTS: PointsScaling = { baseScore: 600, baseOdds: 50, pdo: 20 };

export function scalingConstants({ baseScore, baseOdds, pdo }: PointsScaling): { factor: number; offset: number } {
  if (!(pdo > 0) || !(baseOdds > 0) || !Number.isFinite(baseScore))
    throw new RangeError('pdo and baseOdds must be positive, baseScore finite');
  const factor = pdo / Math.LN2;
  return { factor, offset: baseScore - factor * Math.log(baseOdds) };
}

/** ln(odds of `good` against `bad`) = intercept + sum_j coef_j x WoE_j. */
export interface LogOddsLine {
  intercept: number;
  coef: number[];
}

/**
 * The log-odds of class `good` against class `bad` from a fitted regression: with two classes the
 * model's own line (or its negation), with several the difference of the two classes' softmax rows.
 */
export function logOddsLine(model: LogisticModel, good: number, bad: number): LogOddsLine {
  const row = (k: number): { b: number; w: number[] } => {
    if (model.classes === 2)
      return k === 1 ? { b: model.intercept[0], w: model.coef[0] } : { b: 0, w: model.coef[0].map(() => 0) };
    return { b: model.intercept[k], w: model.coef[k] };
  };
  const g = row(good);
  const d = row(bad);
  return { intercept: g.b - d.b, coef: g.w.map((w, j) => w - d.w[j]) };
}

export interface ScorecardBinPoints {
  label: string;
  events: number;
  nonEvents: number;
  woe: number;
  points: number;
}

export interface Scorecard {
  scaling: PointsScaling;
  factor: number;
  offset: number;
  features: { name: string; coefficient: number; bins: ScorecardBinPoints[] }[];
}

export function buildScorecard(
  features: FeatureBinning[],
  line: LogOddsLine,
  scaling: PointsScaling = SCALING_DEFAULTS,
): Scorecard {
  if (line.coef.length !== features.length)
    throw new RangeError(`${line.coef.length} coefficients for ${features.length} features`);
  const { factor, offset } = scalingConstants(scaling);
  const n = features.length;
  return {
    scaling,
    factor,
    offset,
    features: features.map((f, j) => ({
      name: f.name,
      coefficient: line.coef[j],
      bins: f.bins.map((b) => ({
        label: b.label,
        events: b.events,
        nonEvents: b.nonEvents,
        woe: b.woe,
        points: factor * (line.coef[j] * b.woe + line.intercept / n) + offset / n,
      })),
    })),
  };
}

/** The score of a row whose feature j falls in bin `bins[j]`. */
export function scoreOf(card: Scorecard, bins: ArrayLike<number>): number {
  let score = 0;
  for (let j = 0; j < card.features.length; j++) score += card.features[j].bins[bins[j]].points;
  return score;
}

/** Good-to-bad odds a score stands for: exp((score - offset) / factor). */
export function oddsOfScore(card: Pick<Scorecard, 'factor' | 'offset'>, score: number): number {
  return Math.exp((score - card.offset) / card.factor);
}

/** Probability of the bad outcome at a score: 1 / (1 + odds). */
export function badProbabilityOfScore(card: Pick<Scorecard, 'factor' | 'offset'>, score: number): number {
  return 1 / (1 + oddsOfScore(card, score));
}

/**
 * A characteristic's best bin: the most points among the bins that had training rows (an empty
 * missing or unseen bin carries no evidence, WoE 0, so it is no one's standard), the first of
 * equals. Reason codes measure points lost against it; the model card marks it.
 */
export function bestBinIndex(bins: readonly ScorecardBinPoints[]): number {
  let best = -1;
  for (let i = 0; i < bins.length; i++) {
    const b = bins[i];
    if (b.events + b.nonEvents > 0 && (best < 0 || b.points > bins[best].points)) best = i;
  }
  // No training rows at all (a fit on zero rows): every WoE is 0 and every bin worth the same.
  return best < 0 ? 0 : best;
}

export interface ReasonCode {
  feature: string;
  /** The row's bin label. */
  bin: string;
  /** Points the row's bin gives up against the feature's best bin (always > 0). */
  pointsLost: number;
}

/**
 * Why a row scored lower than it could: for each feature, the points of its best bin among those
 * that had training rows minus the points of the row's bin; the features that lost points, most
 * lost first (ties in feature order). Adverse-action notices quote the first few.
 */
export function reasonCodes(card: Scorecard, bins: ArrayLike<number>): ReasonCode[] {
  const reasons: ReasonCode[] = [];
  card.features.forEach((f, j) => {
    const best = f.bins[bestBinIndex(f.bins)].points;
    const own = f.bins[bins[j]];
    const lost = best - own.points;
    if (lost > 0) reasons.push({ feature: f.name, bin: own.label, pointsLost: lost });
  });
  // A stable sort keeps feature order among equal losses.
  return reasons.sort((a, b) => b.pointsLost - a.pointsLost);
}
