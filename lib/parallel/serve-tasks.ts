/** The worker side of WorkerPool: runs each task it is sent with the handler for its kind and replies. */
import { parentPort } from 'node:worker_threads';
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

export function serveTasks<M extends TaskMessage = PoolTask>(handlers: TaskHandlers<M>): void {
  if (!parentPort) throw new Error('serveTasks runs in a worker thread');
  const port = parentPort;
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
