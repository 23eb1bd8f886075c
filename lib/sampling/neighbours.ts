/** Nearest-neighbour tables for the samplers: k-d tree queries for many points at once. */
import { KdTree } from './kd-tree.ts';

/** One neighbour search a sampler needs (see neighboursExcludingSelf), as it asks for it. */
export interface NeighbourQuery {
  points: Float64Array;
  pointRows: number;
  queries: Float64Array;
  queryRows: number;
  features: number;
  k: number;
}

/**
 * For each query row, the indices of its `k` nearest points in `points`, after dropping the
 * nearest one (the query itself when the query set is the point set, as imbalanced-learn does
 * with `kneighbors(...)[:, 1:]`). Returns a rows x k table, for the query rows [from, to): each
 * row's answer depends on that row alone, so blocks of rows searched apart make the same table.
 */
export function neighboursExcludingSelf(
  points: Float64Array,
  pointRows: number,
  queries: Float64Array,
  queryRows: number,
  features: number,
  k: number,
  from = 0,
  to = queryRows,
): Int32Array {
  const tree = new KdTree(points, pointRows, features);
  const found = new Int32Array(k + 1);
  const table = new Int32Array((to - from) * k);
  for (let i = from; i < to; i++) {
    const n = tree.query(queries, i * features, k + 1, found);
    if (n < k + 1) throw new RangeError(`need ${k + 1} points for ${k} neighbours, have ${n}`);
    table.set(found.subarray(1, k + 1), (i - from) * k);
  }
  return table;
}

/** neighboursExcludingSelf for a query as a sampler asks for it, on this thread. */
export function answerHere(query: NeighbourQuery): Int32Array {
  return neighboursExcludingSelf(
    query.points,
    query.pointRows,
    query.queries,
    query.queryRows,
    query.features,
    query.k,
  );
}
