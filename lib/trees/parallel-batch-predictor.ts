/**
 * Batch prediction on every core: the rows are split into one range per thread, the calling
 * thread takes the first and worker threads the others. The ensemble's bytes and the input and
 * output matrices live in SharedArrayBuffers, so nothing is copied per worker. For large
 * offline scoring (npm run predict, benchmarks); a serving request stays on its own thread.
 * A worker that crashes fails the batch with that reason and is replaced (lib/parallel).
 */
import { availableParallelism } from 'node:os';
import { workerUrl } from '../parallel/worker-url.ts';
import { WorkerPool } from '../parallel/worker-pool.ts';
import type { BatchTask } from './batch-worker.ts';
import { CompiledEnsemble } from './compiled-ensemble.ts';

/** Below this many rows per thread, handing work to workers costs more than it saves. */
const MIN_ROWS_PER_THREAD = 2048;

export class ParallelBatchPredictor {
  private constructor(
    private readonly local: CompiledEnsemble,
    private readonly pool: WorkerPool | null,
  ) {}

  /** Starts `threads - 1` workers (default: one per core) sharing the ensemble's bytes. */
  static create(ensemble: CompiledEnsemble, threads = availableParallelism()): ParallelBatchPredictor {
    const bytes = ensemble.toBuffer();
    const shared = new SharedArrayBuffer(bytes.byteLength);
    new Uint8Array(shared).set(bytes);
    const local = CompiledEnsemble.fromBuffer(new Uint8Array(shared));
    const pool =
      threads > 1
        ? new WorkerPool(workerUrl('batch-worker', import.meta.url), threads - 1, { ensemble: shared })
        : null;
    return new ParallelBatchPredictor(local, pool);
  }

  get threads(): number {
    return (this.pool?.size ?? 0) + 1;
  }

  /** Same result as CompiledEnsemble.predictProbaBatch, computed on all threads. */
  async predictProbaBatch(X: Float64Array, rows: number): Promise<Float64Array> {
    const p = this.local.features;
    const K = this.local.classes;
    const threads = Math.min(this.threads, Math.max(1, Math.floor(rows / MIN_ROWS_PER_THREAD)));
    if (threads === 1 || !this.pool) return this.local.predictProbaBatch(X, rows);
    const input = new SharedArrayBuffer(rows * p * 8);
    new Float64Array(input).set(X.subarray(0, rows * p));
    const output = new SharedArrayBuffer(rows * K * 8);
    const per = Math.ceil(rows / threads);
    const done: Promise<unknown>[] = [];
    for (let t = 1; t < threads; t++) {
      const start = t * per;
      const count = Math.min(per, rows - start);
      if (count <= 0) continue;
      const task: BatchTask = { kind: 'batch', X: input, out: output, start, rows: count };
      done.push(this.pool.run(task));
    }
    const mine = this.local.predictProbaBatch(new Float64Array(input, 0, Math.min(per, rows) * p), Math.min(per, rows));
    new Float64Array(output, 0, mine.length).set(mine);
    await Promise.all(done);
    return new Float64Array(output);
  }

  async close(): Promise<void> {
    await this.pool?.close();
  }
}
