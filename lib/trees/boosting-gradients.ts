/**
 * Second-order gradients of boosting's losses for rows [start, end): logistic for one output,
 * softmax for several (XGBoost's multi:softprob). Row by row, so any split of the rows over
 * threads writes the same values. With class weights, a row's gradient and hessian are scaled
 * by its class's weight, as XGBoost scales them by a sample weight.
 */

/** Hessians never drop to zero (XGBoost's kRtEps floor), or leaf weights blow up. */
const MIN_HESSIAN = 1e-16;

export function computeGradients(
  margins: Float64Array,
  y: Int32Array,
  outputs: number,
  gradHess: Float64Array[],
  start: number,
  end: number,
  /** Per class (null: every row weighs 1). */
  classWeights: Float64Array | null = null,
): void {
  if (outputs === 1) {
    const gh = gradHess[0];
    for (let i = start; i < end; i++) {
      const prob = 1 / (1 + Math.exp(-margins[i]));
      const w = classWeights ? classWeights[y[i]] : 1;
      gh[i << 1] = (prob - y[i]) * w;
      gh[(i << 1) + 1] = Math.max(prob * (1 - prob), MIN_HESSIAN) * w;
    }
    return;
  }
  const exps = new Float64Array(outputs);
  for (let i = start; i < end; i++) {
    const base = i * outputs;
    let max = -Infinity;
    let top = -1;
    for (let k = 0; k < outputs; k++) {
      if (margins[base + k] > max) {
        max = margins[base + k];
        top = k;
      }
    }
    // The largest margin's exp(0) is exactly 1: one call to Math.exp fewer per row, same values.
    if (!Number.isFinite(max)) top = -1;
    let sum = 0;
    for (let k = 0; k < outputs; k++) {
      exps[k] = k === top ? 1 : Math.exp(margins[base + k] - max);
      sum += exps[k];
    }
    const w = classWeights ? classWeights[y[i]] : 1;
    for (let k = 0; k < outputs; k++) {
      const prob = exps[k] / sum;
      gradHess[k][i << 1] = (prob - (y[i] === k ? 1 : 0)) * w;
      gradHess[k][(i << 1) + 1] = Math.max(2 * prob * (1 - prob), MIN_HESSIAN) * w;
    }
  }
}
