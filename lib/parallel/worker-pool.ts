/**
 * A fixed pool of worker threads running one entry script, with a priority queue of tasks
 * (the highest priority first, then first come first served). Our own, on node:worker_threads,
 * rather than piscina or tinypool: those start workers through a bootstrap script of their own
 * that must ship beside a bundle (the Lambda layer, the container's bundles are single files),
 * and training needs its own order (the longest task first) more than their features.
 *
 * Faults never hang a caller: a task that throws rejects with its error; a worker that crashes
 * or exits while running a task rejects that task with a message naming it, and is replaced.
 * Idle workers do not keep the process alive.
 */
import { Worker } from 'node:worker_threads';
import type { TaskMessage } from './task-runner.ts';

/** A task read without its type: which handler of the entry script runs it, and its fields. */
export interface PoolTask extends TaskMessage {
  [field: string]: unknown;
}

export class WorkerTaskError extends Error {
  override name = 'WorkerTaskError';
  constructor(
    message: string,
    /** The failed task's error as the worker described it (name, message, plain fields), when it threw one. */
    readonly detail?: Record<string, unknown>,
  ) {
    super(message);
  }
}

/** The pool was closed (the process is stopping) before the task finished: not the task's own failure. */
export class WorkerPoolClosedError extends WorkerTaskError {
  override name = 'WorkerPoolClosedError';
}

interface Queued {
  id: number;
  task: TaskMessage;
  priority: number;
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
}

/**
 * What the pool needs of one worker: a thread by default, or a child process
 * (task-process.ts) for work that must not share the serving process's scheduling.
 */
export interface TaskChannel {
  postMessage(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
  onError(listener: (err: Error) => void): void;
  onExit(listener: (code: number) => void): void;
  /** Keeps the process alive while the worker runs a task... */
  ref(): void;
  /** ...and not while it is idle. */
  unref(): void;
  terminate(): Promise<unknown>;
}

function threadChannel(entry: URL, workerData: unknown): TaskChannel {
  const worker = new Worker(entry, { workerData });
  return {
    postMessage: (message) => worker.postMessage(message),
    onMessage: (listener) => worker.on('message', listener),
    onError: (listener) => worker.on('error', listener),
    onExit: (listener) => worker.on('exit', listener),
    ref: () => worker.ref(),
    unref: () => worker.unref(),
    terminate: () => worker.terminate(),
  };
}

interface Slot {
  worker: TaskChannel;
  running: Queued | null;
}

type Reply =
  { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string; detail?: Record<string, unknown> };

export class WorkerPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Queued[] = [];
  private nextId = 0;
  private closed = false;

  constructor(
    private readonly entry: URL,
    readonly size: number,
    private readonly workerData: unknown = undefined,
    /** How a worker starts: a thread running `entry` unless given (task-process.ts starts a child process). */
    private readonly start: (entry: URL, workerData: unknown) => TaskChannel = threadChannel,
  ) {
    if (!(size >= 1)) throw new RangeError(`a pool needs at least one worker, got ${size}`);
  }

  /** Runs a task on the next free worker; `priority` orders the queue (higher first). */
  run<T>(task: TaskMessage | PoolTask, priority = 0): Promise<T> {
    if (this.closed) return Promise.reject(new WorkerPoolClosedError('the worker pool is closed'));
    return new Promise<T>((resolve, reject) => {
      const queued: Queued = {
        id: this.nextId++,
        task,
        priority,
        resolve: resolve as (value: unknown) => void,
        reject,
      };
      // Stable: after every task of the same or a higher priority.
      let at = this.queue.length;
      while (at > 0 && this.queue[at - 1].priority < priority) at--;
      this.queue.splice(at, 0, queued);
      this.dispatch();
    });
  }

  /** Stops every worker; queued and running tasks are rejected. */
  async close(): Promise<void> {
    this.closed = true;
    for (const q of this.queue.splice(0)) q.reject(new WorkerPoolClosedError('the worker pool was closed'));
    await Promise.all(
      this.slots.splice(0).map((slot) => {
        slot.running?.reject(
          new WorkerPoolClosedError(`the worker pool was closed while ${slot.running.task.kind} ran`),
        );
        return slot.worker.terminate();
      }),
    );
  }

  private dispatch(): void {
    while (this.queue.length) {
      let slot = this.slots.find((s) => s.running === null);
      if (!slot && this.slots.length < this.size) slot = this.spawn();
      if (!slot) return;
      const next = this.queue.shift()!;
      slot.running = next;
      slot.worker.ref();
      slot.worker.postMessage({ id: next.id, task: next.task });
    }
  }

  private spawn(): Slot {
    const worker = this.start(this.entry, this.workerData);
    const slot: Slot = { worker, running: null };
    worker.unref();
    worker.onMessage((message) => {
      const reply = message as Reply;
      const task = slot.running;
      if (!task || task.id !== reply.id) return;
      slot.running = null;
      worker.unref();
      if (reply.ok) task.resolve(reply.value);
      else task.reject(new WorkerTaskError(`${task.task.kind} failed in a worker: ${reply.error}`, reply.detail));
      this.dispatch();
    });
    const lost = (why: string): void => {
      const index = this.slots.indexOf(slot);
      if (index < 0) return; // already replaced (an error is followed by an exit)
      this.slots.splice(index, 1);
      slot.running?.reject(
        new WorkerTaskError(`a worker ${why} while it ran ${slot.running.task.kind}; it was replaced`),
      );
      slot.running = null;
      if (!this.closed) this.dispatch();
    };
    worker.onError((err) => lost(`crashed (${err.message})`));
    worker.onExit((code) => lost(`exited with code ${code}`));
    this.slots.push(slot);
    return slot;
  }
}
