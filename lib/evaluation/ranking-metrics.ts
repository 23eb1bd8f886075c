/**
 * How well a model ranks applicants, the numbers a credit committee reads beside accuracy: ROC
 * AUC, Gini (2 AUC - 1), Kolmogorov-Smirnov and average precision of each class against the rest
 * (one-vs-rest), their unweighted means over the classes (macro), and a gains table by score
 * decile. For two classes every number is the positive class's, the second in the spec's order
 * (scikit-learn's convention: `roc_auc_score(y, p[:, 1])`).
 *
 * Tied scores are one threshold, as scikit-learn and scipy treat them: AUC is the Mann-Whitney
 * statistic with average ranks (the trapezoid under the ROC curve), average precision steps
 * through the distinct scores without interpolation (`average_precision_score`), and KS is the
 * largest gap between the two classes' score distributions (`scipy.stats.ks_2samp`'s statistic).
 * A class with no rows, or with every row, has no ranking: its numbers are null, and the macro
 * means are over the classes that have them.
 */
import { z } from 'zod';

export interface ClassRanking {
  /** The class ranked against the rest. */
  class: number;
  /** Rows of the class (positives). */
  positives: number;
  auc: number | null;
  gini: number | null;
  ks: number | null;
  averagePrecision: number | null;
}

export interface RankingMetrics {
  /** Two classes: the positive class's; more: the macro mean over the classes. */
  auc: number | null;
  gini: number | null;
  ks: number | null;
  averagePrecision: number | null;
  /** One-vs-rest, per class (for two classes, the second is the positive one and the first its mirror). */
  perClass: ClassRanking[];
}

/** One class's scores against the rest: `y[i] === positive` marks the positives. */
export function classRanking(y: ArrayLike<number>, scores: ArrayLike<number>, positive: number): ClassRanking {
  const n = y.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b] - scores[a]);
  let positives = 0;
  for (let i = 0; i < n; i++) if (y[i] === positive) positives++;
  const negatives = n - positives;
  if (positives === 0 || negatives === 0)
    return { class: positive, positives, auc: null, gini: null, ks: null, averagePrecision: null };

  // Walk the thresholds from the highest score down, a group of tied scores at a time.
  let tp = 0;
  let fp = 0;
  let area = 0; // under the ROC curve, in (tp, fp) counts: trapezoids between thresholds
  let ks = 0;
  let ap = 0;
  for (let start = 0; start < n;) {
    let end = start;
    let groupTp = 0;
    while (end < n && scores[order[end]] === scores[order[start]]) {
      if (y[order[end]] === positive) groupTp++;
      end++;
    }
    const groupFp = end - start - groupTp;
    area += groupFp * (tp + groupTp / 2);
    tp += groupTp;
    fp += groupFp;
    // Precision at this threshold, weighted by the recall it adds.
    if (groupTp) ap += (groupTp / positives) * (tp / (tp + fp));
    ks = Math.max(ks, Math.abs(tp / positives - fp / negatives));
    start = end;
  }
  const auc = area / (positives * negatives);
  return { class: positive, positives, auc, gini: 2 * auc - 1, ks, averagePrecision: ap };
}

/**
 * The ranking metrics of class probabilities `P` (rows x `classes`, row-major) for the true
 * classes `y`.
 */
export function rankingMetrics(y: ArrayLike<number>, P: ArrayLike<number>, classes: number): RankingMetrics {
  const rows = y.length;
  const perClass: ClassRanking[] = [];
  for (let k = 0; k < classes; k++) {
    const scores = new Float64Array(rows);
    for (let i = 0; i < rows; i++) scores[i] = P[i * classes + k];
    perClass.push(classRanking(y, scores, k));
  }
  if (classes === 2) {
    const { auc, gini, ks, averagePrecision } = perClass[1];
    return { auc, gini, ks, averagePrecision, perClass };
  }
  const macro = (pick: (c: ClassRanking) => number | null): number | null => {
    const values = perClass.map(pick).filter((v): v is number => v !== null);
    return values.length ? values.reduce((s, v) => s + v, 0) / values.length : null;
  };
  const auc = macro((c) => c.auc);
  return {
    auc,
    gini: auc === null ? null : 2 * auc - 1,
    ks: macro((c) => c.ks),
    averagePrecision: macro((c) => c.averagePrecision),
    perClass,
  };
}

/** Ranking metrics over the folds (lib/training/candidate-summary.ts rankingSummary); null where no fold defines them. */
const nullableNumber = z.number().nullable();

/** How the out-of-fold probabilities rank the rows, over the folds; stored in metrics.json (parsed by this schema on load). */
export const rankingSummarySchema = z.object({
  /** Mean over the folds: the positive (second) class's for two classes, one-vs-rest macro for more. */
  roc_auc: nullableNumber,
  roc_auc_std: nullableNumber,
  /** 2 AUC - 1, of the mean AUC. */
  gini: nullableNumber,
  ks: nullableNumber,
  ks_std: nullableNumber,
  average_precision: nullableNumber,
  fold_roc_auc: z.array(nullableNumber),
  /** Each class against the rest, in the spec's class order: means over the folds. */
  per_class: z.array(z.object({ roc_auc: nullableNumber, ks: nullableNumber, average_precision: nullableNumber })),
});
export type RankingSummary = z.output<typeof rankingSummarySchema>;

export interface GainsRow {
  /** 1 = the tenth of rows with the highest scores. */
  decile: number;
  rows: number;
  /** Rows of the class in the decile. */
  events: number;
  eventRate: number;
  /** Share of all the class's rows found in this decile and the ones above it. */
  cumulativeCapture: number;
  /** The decile's event rate over the overall one. */
  lift: number;
  /** The event rate down to this decile over the overall one. */
  cumulativeLift: number;
  minScore: number;
  maxScore: number;
}

/**
 * The gains table of one class's scores: rows sorted by score, highest first, cut into ten
 * groups as equal as the row count allows (tied scores may straddle a cut: the order among them
 * is the rows' order). Empty when there are no rows or no events.
 */
export function gainsTable(y: ArrayLike<number>, scores: ArrayLike<number>, positive: number, groups = 10): GainsRow[] {
  const n = y.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b] - scores[a] || a - b);
  let events = 0;
  for (let i = 0; i < n; i++) if (y[i] === positive) events++;
  if (!n || !events) return [];
  const overall = events / n;
  const table: GainsRow[] = [];
  let seenRows = 0;
  let seenEvents = 0;
  for (let g = 0; g < groups; g++) {
    const from = Math.floor((g * n) / groups);
    const to = Math.floor(((g + 1) * n) / groups);
    if (to === from) continue;
    let inGroup = 0;
    for (let r = from; r < to; r++) if (y[order[r]] === positive) inGroup++;
    seenRows += to - from;
    seenEvents += inGroup;
    table.push({
      decile: g + 1,
      rows: to - from,
      events: inGroup,
      eventRate: inGroup / (to - from),
      cumulativeCapture: seenEvents / events,
      lift: inGroup / (to - from) / overall,
      cumulativeLift: seenEvents / seenRows / overall,
      minScore: scores[order[to - 1]],
      maxScore: scores[order[from]],
    });
  }
  return table;
}

export interface ScoreDistribution {
  /** The bins' lower edges: [0, 0.1, ..., 0.9]; the last bin holds 1. */
  from: number[];
  /** Per true class (spec order), rows per bin. */
  counts: number[][];
}

/**
 * How the positive class's score spreads for the rows of each true class, in equal-width bins:
 * the two humps a credit committee looks at (how far apart the goods and the bads sit).
 */
export function scoreDistribution(
  y: ArrayLike<number>,
  scores: ArrayLike<number>,
  classes: number,
  bins = 10,
): ScoreDistribution {
  const counts = Array.from({ length: classes }, () => new Array<number>(bins).fill(0));
  for (let i = 0; i < y.length; i++) counts[y[i]][Math.min(bins - 1, Math.max(0, Math.floor(scores[i] * bins)))]++;
  return { from: Array.from({ length: bins }, (_, b) => b / bins), counts };
}
