/**
 * The worker side of WorkerPool: runs each task it is sent with the handler for its kind and
 * replies, in a worker thread or in a child process started by task-process.ts.
 */
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import type { TaskMessage } from './task-runner.ts';
import type { PoolTask } from './worker-pool.ts';

/**
 * A handler per kind of message `M` (a union of typed tasks), each given its own type; without
 * `M`, any kind with its fields unknown.
 */
export type TaskHandlers<M extends TaskMessage = PoolTask> = string extends M['kind']
  ? Record<string, (task: PoolTask) => unknown>
  : { [K in M['kind']]: (task: Extract<M, { kind: K }>) => unknown };

/** A handler's answer whose buffers move to the caller instead of being copied. */
export class Transfer {
  constructor(
    readonly value: unknown,
    readonly buffers: ArrayBuffer[],
  ) {}
}

/** What the pool gave this worker: a thread's workerData, or a child process's TASK_WORKER_DATA. */
export function taskWorkerData(): unknown {
  if (parentPort) return workerData;
  return JSON.parse(process.env.TASK_WORKER_DATA ?? 'null');
}

/** A worker's end of the pool: a thread's port, or a child process's IPC channel. */
interface Port {
  on(event: 'message', listener: (message: { id: number; task: TaskMessage }) => void): void;
  postMessage(message: unknown, transfer?: ArrayBuffer[]): void;
}

function poolPort(): Port {
  if (parentPort) return parentPort as unknown as Port;
  const send = process.send?.bind(process);
  if (!send) throw new Error('serveTasks runs in a worker thread or a child process started by the pool');
  // Without `nice` on the system, the pool asked the child to lower itself (its main thread).
  const nice = Number(process.env.TASK_PROCESS_NICE || 0);
  if (nice > 0)
    try {
      setPriority(nice);
    } catch {
      // Not permitted here: the child still keeps the work out of the serving process.
    }
  // The parent gone (killed without closing the pool): nothing is left to serve.
  process.on('disconnect', () => process.exit(0));
  return {
    on: (event, listener) => process.on(event, listener as (message: unknown) => void),
    // Over IPC a buffer is copied whatever the transfer list says.
    postMessage: (message) => send(message as never),
  };
}

export function serveTasks<M extends TaskMessage = PoolTask>(handlers: TaskHandlers<M>): void {
  const port = poolPort();
  // One handler per kind whatever M is: the message's kind picks it.
  const byKind = handlers as unknown as Record<string, ((task: TaskMessage) => unknown) | undefined>;
  port.on('message', async ({ id, task }: { id: number; task: TaskMessage }) => {
    const handler = byKind[task.kind];
    try {
      if (!handler) throw new Error(`no handler for task kind "${task.kind}"`);
      const result = await handler(task);
      if (result instanceof Transfer) port.postMessage({ id, ok: true, value: result.value }, result.buffers);
      else port.postMessage({ id, ok: true, value: result });
    } catch (err) {
      port.postMessage({ id, ok: false, error: (err as Error).message, detail: errorDetail(err) });
    }
  });
}

/**
 * What of an error crosses the thread besides its message: its name and its own fields of plain
 * values (a storage error's failure and reason), so the caller can tell a store outage (503)
 * from a bug.
 */
function errorDetail(err: unknown): Record<string, unknown> | undefined {
  if (!(err instanceof Error)) return undefined;
  const detail: Record<string, unknown> = { name: err.name, message: err.message };
  for (const [field, value] of Object.entries(err))
    if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) detail[field] = value;
  return detail;
}
