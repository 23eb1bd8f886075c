/**
 * Batch prediction on every core: the rows are split into one range per thread, the calling
 * thread takes the first and worker threads the others. The ensemble's bytes and the input and
 * output matrices live in SharedArrayBuffers, so nothing is copied per worker. For large
 * offline scoring (npm run predict, benchmarks); a serving request stays on its own thread.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { BatchTask } from './batch-worker.ts';
import { CompiledEnsemble } from './compiled-ensemble.ts';

/** Below this many rows per thread, handing work to workers costs more than it saves. */
const MIN_ROWS_PER_THREAD = 2048;

export class ParallelBatchPredictor {
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: () => void; reject: (err: Error) => void }>();

  private constructor(
    private readonly local: CompiledEnsemble,
    private readonly workers: Worker[],
  ) {
    for (const worker of workers) {
      worker.on('message', (m: { id: number; error?: string }) => {
        const task = this.pending.get(m.id);
        this.pending.delete(m.id);
        if (m.error) task?.reject(new Error(`batch worker: ${m.error}`));
        else task?.resolve();
      });
      worker.on('error', (err) => {
        for (const task of this.pending.values()) task.reject(err);
        this.pending.clear();
      });
    }
  }

  /** Starts `threads - 1` workers (default: one per core) sharing the ensemble's bytes. */
  static create(ensemble: CompiledEnsemble, threads = availableParallelism()): ParallelBatchPredictor {
    const bytes = ensemble.toBuffer();
    const shared = new SharedArrayBuffer(bytes.byteLength);
    new Uint8Array(shared).set(bytes);
    const local = CompiledEnsemble.fromBuffer(new Uint8Array(shared));
    // Workers load the TypeScript worker through tsx (see batch-worker-entry.mjs).
    const workers = Array.from({ length: Math.max(0, threads - 1) }, () => new Worker(new URL('./batch-worker-entry.mjs', import.meta.url), { workerData: { ensemble: shared } }));
    return new ParallelBatchPredictor(local, workers);
  }

  get threads(): number {
    return this.workers.length + 1;
  }

  /** Same result as CompiledEnsemble.predictProbaBatch, computed on all threads. */
  async predictProbaBatch(X: Float64Array, rows: number): Promise<Float64Array> {
    const p = this.local.features;
    const K = this.local.classes;
    const threads = Math.min(this.threads, Math.max(1, Math.floor(rows / MIN_ROWS_PER_THREAD)));
    if (threads === 1) return this.local.predictProbaBatch(X, rows);
    const input = new SharedArrayBuffer(rows * p * 8);
    new Float64Array(input).set(X.subarray(0, rows * p));
    const output = new SharedArrayBuffer(rows * K * 8);
    const per = Math.ceil(rows / threads);
    const done: Promise<void>[] = [];
    for (let t = 1; t < threads; t++) {
      const start = t * per;
      const count = Math.min(per, rows - start);
      if (count <= 0) continue;
      const id = this.nextId++;
      done.push(new Promise<void>((resolve, reject) => this.pending.set(id, { resolve, reject })));
      const task: BatchTask = { id, X: input, out: output, start, rows: count };
      this.workers[t - 1].postMessage(task);
    }
    const mine = this.local.predictProbaBatch(new Float64Array(input, 0, Math.min(per, rows) * p), Math.min(per, rows));
    new Float64Array(output, 0, mine.length).set(mine);
    await Promise.all(done);
    return new Float64Array(output);
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
