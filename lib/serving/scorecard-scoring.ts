/**
 * Serving a scorecard: a cleaned row straight into its bins (lib/scorecard/row-binner.ts), the
 * class probabilities of the regression on the bins' WoE, the score in points, and reasons from
 * the points table (points lost against each characteristic's best bin, most lost first), the
 * adverse-action reasons a scorecard states. O(features) per row: one bin lookup and a few
 * additions per characteristic.
 */
import type { CleanRow } from '../data/clean-record.ts';
import { columnNames } from '../scorecard/columns.ts';
import { bestBinIndex } from '../scorecard/points.ts';
import { RowBinner } from '../scorecard/row-binner.ts';
import { ScorecardPredictor } from '../scorecard/scorecard-model.ts';
import type { StoredScorecard } from '../scorecard/stored-scorecard.ts';

export interface PointsReason {
  /** The characteristic: a column as sent, or "column=label" for a label of a multi-label column. */
  feature: string;
  /** What was sent for its column (null when it was unknown). */
  value: unknown;
  /** The row's bin. */
  bin: string;
  /** Points the row's bin gives up against the characteristic's best bin (> 0). */
  pointsLost: number;
  /** -pointsLost: what the characteristic did to the score against its best bin, in points. */
  contribution: number;
}

export interface PointsExplanation {
  method: 'points';
  space: 'points';
  /** The best score the card gives (every characteristic in its best bin): the row's score plus all its points lost. */
  baseValue: number;
  reasons: PointsReason[];
}

export class ScorecardScorer {
  private readonly predictor: ScorecardPredictor;
  private readonly binner: RowBinner;
  /** Per scorecard column, the column of the request it comes from. */
  private readonly sourceOf: Map<string, string>;
  /** The best score the card gives. */
  private readonly bestScore: number;

  constructor(stored: StoredScorecard) {
    this.predictor = new ScorecardPredictor(stored.fitted);
    this.binner = new RowBinner(stored.plan, stored.fitted.binning.features);
    const names = columnNames(stored.plan);
    const multiLabel = stored.plan.multiLabel.flatMap((c) =>
      c.labels.map((l) => [`${c.column}=${l}`, c.column] as const),
    );
    this.sourceOf = new Map([...names.map((n) => [n, n] as const), ...multiLabel]);
    this.bestScore = stored.fitted.card.features.reduce((sum, f) => sum + f.bins[bestBinIndex(f.bins)].points, 0);
  }

  /** Probabilities into `proba`; returns the score in points. */
  score(row: CleanRow, proba: Float64Array): number {
    this.binner.binsOf(row, this.predictor.bins);
    return this.predictor.predictBins(proba);
  }

  /** The top `top` reasons of the row last scored; `valueOf` gives what was sent for a column. */
  explainLast(top: number, valueOf: (column: string) => unknown): PointsExplanation {
    const reasons = this.predictor
      .reasons()
      .slice(0, top)
      .map((r) => {
        const value = valueOf(this.sourceOf.get(r.feature) ?? r.feature);
        return {
          feature: r.feature,
          value: value === undefined ? null : value,
          bin: r.bin,
          pointsLost: r.pointsLost,
          contribution: -r.pointsLost,
        };
      });
    return { method: 'points', space: 'points', baseValue: this.bestScore, reasons };
  }
}
