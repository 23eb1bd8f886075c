/** Choosing a class from probabilities: the one place it is done, under decision weights or none (the plain argmax). */

/** The class of one row of probabilities (at `offset` in P): the largest p[k] * w[k], the first on ties (numpy's argmax). Without weights, the plain argmax. The one place a class is chosen from probabilities. */
export function decideClass(
  P: ArrayLike<number>,
  offset: number,
  K: number,
  weights?: ArrayLike<number> | null,
): number {
  let best = 0;
  if (!weights) {
    for (let k = 1; k < K; k++) if (P[offset + k] > P[offset + best]) best = k;
    return best;
  }
  let bestScore = P[offset] * weights[0];
  for (let k = 1; k < K; k++) {
    const score = P[offset + k] * weights[k];
    if (score > bestScore) {
      best = k;
      bestScore = score;
    }
  }
  return best;
}

/** The class of every row of P (n rows of K, row-major) under the weights (plain argmax without). */
export function applyDecisionWeights(
  P: Float64Array,
  n: number,
  K: number,
  weights?: ArrayLike<number> | null,
): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = decideClass(P, i * K, K, weights);
  return out;
}
