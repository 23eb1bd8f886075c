/**
 * A sampler's neighbour searches on a pool of workers (the training pool, as a TaskRunner): each
 * search's query rows split into one block per worker, every worker building its own k-d tree
 * over the (shared) points and answering its block. A row's neighbours depend on that row alone, so the table, and the
 * resampled matrix, are the ones one thread makes, byte for byte.
 */
import { toShared } from '../parallel/shared-arrays.ts';
import type { TaskRunner } from '../parallel/task-runner.ts';
import { neighboursExcludingSelf, type NeighbourQuery } from './neighbours.ts';
import type { LabelledMatrix, Sampler } from './sampler.ts';

/** Query rows below which a search stays on this thread: building a tree per worker would cost more than it saves. */
const PARALLEL_QUERY_ROWS = 2_000;

/** What a worker answers: rows [from, to) of a search. */
export interface NeighbourBlockTask extends NeighbourQuery {
  kind: 'neighbours';
  from: number;
  to: number;
}

/** Runs `sampler` on `data`, its neighbour searches spread over the pool's workers. */
export async function fitResampleOnPool(
  sampler: Sampler,
  data: LabelledMatrix,
  pool: TaskRunner,
): Promise<LabelledMatrix> {
  const steps = sampler.steps(data);
  // Searches of one resample often share their matrices (ADASYN's and BorderlineSMOTE's first
  // search of every class runs over the whole table): each goes to shared memory once.
  const shared = new Map<Float64Array, Float64Array>();
  const place = (values: Float64Array): Float64Array => {
    let copy = shared.get(values);
    if (!copy) shared.set(values, (copy = toShared(values)));
    return copy;
  };
  let next = steps.next();
  while (!next.done) next = steps.next(await searchOnPool(next.value, pool, place));
  return next.value;
}

export async function searchOnPool(
  query: NeighbourQuery,
  pool: TaskRunner,
  place: (values: Float64Array) => Float64Array = toShared,
): Promise<Int32Array> {
  const { points, pointRows, queries, queryRows, features, k } = query;
  if (pool.threads < 2 || queryRows < PARALLEL_QUERY_ROWS)
    return neighboursExcludingSelf(points, pointRows, queries, queryRows, features, k);
  const sharedPoints = place(points);
  const sharedQueries = queries === points ? sharedPoints : place(queries);
  const blocks = pool.threads;
  const bounds = Array.from({ length: blocks + 1 }, (_, b) => Math.floor((queryRows * b) / blocks));
  const parts = await Promise.all(
    bounds.slice(0, -1).map((from, b) => {
      const task: NeighbourBlockTask = {
        kind: 'neighbours',
        points: sharedPoints,
        pointRows,
        queries: sharedQueries,
        queryRows,
        features,
        k,
        from,
        to: bounds[b + 1],
      };
      return pool.run<Int32Array>(task);
    }),
  );
  const table = new Int32Array(queryRows * k);
  parts.forEach((part, b) => table.set(part, bounds[b] * k));
  return table;
}

/** A worker's side: its block of a search. */
export function answerNeighbourBlock(task: NeighbourBlockTask): Int32Array {
  return neighboursExcludingSelf(
    task.points,
    task.pointRows,
    task.queries,
    task.queryRows,
    task.features,
    task.k,
    task.from,
    task.to,
  );
}
