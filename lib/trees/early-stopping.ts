/**
 * Early stopping for boosting, as XGBoost's early_stopping_rounds does it: after each round the
 * held-out rows' log loss (multi-class softmax, or logistic for two classes) is measured; once
 * `patience` rounds pass without a strictly lower loss, boosting stops and keeps the rounds up
 * to the best one. Runs on the fitting thread alone, in row order, so it decides the same for
 * any number of helper threads.
 */
import type { BinnedMatrix } from './binning.ts';
import { addTreeOutput } from './boosting-round.ts';
import type { Tree } from './tree.ts';

/** Probabilities are clipped to [EPS, 1 - EPS] before the log, as scikit-learn's log_loss does. */
const EPS = 2.220446049250313e-16;

export class EarlyStopping {
  private readonly margins: Float64Array;
  private bestLoss = Infinity;
  private bestRound = -1;

  constructor(
    private readonly held: BinnedMatrix,
    private readonly y: Int32Array,
    private readonly outputs: number,
    baseMargin: number,
    private readonly patience: number,
  ) {
    this.margins = new Float64Array(held.rows * outputs).fill(baseMargin);
  }

  /** Adds one tree (for output k) to the held-out rows' margins. */
  addTree(tree: Tree, k: number): void {
    addTreeOutput(tree, this.held, this.margins, this.outputs, k);
  }

  /** Ends round `round` (0-based); true when boosting should stop. */
  endRound(round: number): boolean {
    const loss = logLossOfMargins(this.margins, this.y, this.outputs);
    if (loss < this.bestLoss) {
      this.bestLoss = loss;
      this.bestRound = round;
    }
    return round - this.bestRound >= this.patience;
  }

  /** The number of rounds to keep: up to and including the best one. */
  get bestRounds(): number {
    return this.bestRound + 1;
  }
}

/** Mean log loss of raw margins: logistic for one output, softmax for several. */
export function logLossOfMargins(margins: Float64Array, y: Int32Array, outputs: number): number {
  let sum = 0;
  const rows = y.length;
  for (let i = 0; i < rows; i++) {
    let p: number;
    if (outputs === 1) {
      const p1 = 1 / (1 + Math.exp(-margins[i]));
      p = y[i] === 1 ? p1 : 1 - p1;
    } else {
      const base = i * outputs;
      let max = -Infinity;
      for (let k = 0; k < outputs; k++) if (margins[base + k] > max) max = margins[base + k];
      let total = 0;
      for (let k = 0; k < outputs; k++) total += Math.exp(margins[base + k] - max);
      p = Math.exp(margins[base + y[i]] - max) / total;
    }
    sum -= Math.log(Math.min(1 - EPS, Math.max(EPS, p)));
  }
  return sum / rows;
}
