/** Nearest-neighbour tables for the samplers: k-d tree queries for many points at once. */
import { KdTree } from './kd-tree.ts';

/**
 * For each query row, the indices of its `k` nearest points in `points`, after dropping the
 * nearest one (the query itself when the query set is the point set, as imbalanced-learn does
 * with `kneighbors(...)[:, 1:]`). Returns a rows x k table.
 */
export function neighboursExcludingSelf(points: Float64Array, pointRows: number, queries: Float64Array, queryRows: number, features: number, k: number): Int32Array {
  const tree = new KdTree(points, pointRows, features);
  const found = new Int32Array(k + 1);
  const table = new Int32Array(queryRows * k);
  for (let i = 0; i < queryRows; i++) {
    const n = tree.query(queries, i * features, k + 1, found);
    if (n < k + 1) throw new RangeError(`need ${k + 1} points for ${k} neighbours, have ${n}`);
    table.set(found.subarray(1, k + 1), i * k);
  }
  return table;
}
