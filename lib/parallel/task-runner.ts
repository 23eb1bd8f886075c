/**
 * What code that spreads work over threads needs of a pool: how many threads it has, and a way
 * to run one task on one of them. Trees and samplers take a TaskRunner, never a concrete pool,
 * so lib/parallel knows nothing of what its tasks do and the training pool (lib/training) sits
 * above the code it runs.
 */

/** A message to a worker: `kind` names the handler that runs it (serve-tasks.ts); the rest is its data. */
export interface TaskMessage {
  kind: string;
}

export interface TaskRunner {
  /** Threads that run tasks (below 2: a caller's parallel path is not worth its cost). */
  readonly threads: number;
  /** Runs `task` on a worker; `priority` orders the queue (higher first). */
  run<T>(task: TaskMessage, priority?: number): Promise<T>;
}
