/** The worker side of WorkerPool: runs each task it is sent with the handler for its kind and replies. */
import { parentPort } from 'node:worker_threads';
import type { PoolTask } from './worker-pool.ts';

export type TaskHandlers = Record<string, (task: PoolTask) => unknown>;

export function serveTasks(handlers: TaskHandlers): void {
  if (!parentPort) throw new Error('serveTasks runs in a worker thread');
  const port = parentPort;
  port.on('message', async ({ id, task }: { id: number; task: PoolTask }) => {
    const handler = handlers[task.kind];
    try {
      if (!handler) throw new Error(`no handler for task kind "${task.kind}"`);
      port.postMessage({ id, ok: true, value: await handler(task) });
    } catch (err) {
      port.postMessage({ id, ok: false, error: (err as Error).message });
    }
  });
}
