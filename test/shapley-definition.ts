/** Shapley values from their definition, for checking the explainers on a handful of features. */
import type { CompiledEnsemble } from '../lib/trees/compiled-ensemble.ts';

/**
 * The path-dependent expectation of one tree given the features in `known` (the definition
 * TreeSHAP computes Shapley values of): a known feature follows the row, an unknown one averages
 * both children by cover. Written from the definition, independently of the explainer.
 */
export function treeExpectation(e: CompiledEnsemble, node: number, x: number[], known: Set<number>): number[] {
  const view = e.node(node);
  if (view.values) return view.values;
  const covers = e.arrays.covers!;
  if (known.has(view.feature)) {
    const v = x[view.feature];
    const left = Number.isNaN(v) ? view.defaultLeft : Math.fround(v) < view.threshold;
    return treeExpectation(e, left ? view.left : view.right, x, known);
  }
  const l = treeExpectation(e, view.left, x, known);
  const r = treeExpectation(e, view.right, x, known);
  return l.map((lv, k) => (lv * covers[view.left] + r[k] * covers[view.right]) / covers[node]);
}

function factorial(n: number): number {
  return n <= 1 ? 1 : n * factorial(n - 1);
}

/** Shapley values by enumerating every coalition: exponential, for a handful of features. */
export function bruteForceShapley(e: CompiledEnsemble, x: number[]): number[][] {
  const M = e.features;
  const trees = e.arrays.treeRoots;
  const value = (known: Set<number>): number[] => {
    const total = new Array<number>(e.classes).fill(0);
    for (const root of trees) treeExpectation(e, root, x, known).forEach((v, k) => (total[k] += v / trees.length));
    return total;
  };
  const phi = Array.from({ length: e.classes }, () => new Array<number>(M).fill(0));
  for (let i = 0; i < M; i++) {
    const others = [...Array(M).keys()].filter((j) => j !== i);
    for (let mask = 0; mask < 1 << others.length; mask++) {
      const S = new Set(others.filter((_, b) => mask & (1 << b)));
      const weight = (factorial(S.size) * factorial(M - S.size - 1)) / factorial(M);
      const without = value(S);
      const withI = value(new Set([...S, i]));
      for (let k = 0; k < e.classes; k++) phi[k][i] += weight * (withI[k] - without[k]);
    }
  }
  return phi;
}
