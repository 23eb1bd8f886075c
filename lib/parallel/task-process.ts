/**
 * A worker in a child process instead of a thread, for work that must not share the serving
 * process's scheduling: a process's every thread (its collector's helper threads, its libuv
 * pool) runs at the niceness it was started with, while a worker thread can lower only its own
 * thread's, and V8's garbage-collection helpers serving its heap are the whole process's, at the
 * serving thread's priority. Started through `nice` where the system has it, so that every thread
 * of the child is born at that niceness; elsewhere the child lowers its main thread itself
 * (serve-tasks.ts, TASK_PROCESS_NICE).
 *
 * The child gets the pool's worker data as JSON in its environment (TASK_WORKER_DATA: visible
 * only to the same user, as the parent's own environment is) and talks over Node's IPC channel
 * with the same messages as a worker thread (serve-tasks.ts). If the parent dies without closing
 * it, the channel's end makes it exit (serve-tasks.ts).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { TaskChannel } from './worker-pool.ts';

const NICE_PROGRAM = '/usr/bin/nice';

export interface TaskProcessOptions {
  /** Niceness of every thread of the child (0-19; higher yields more). */
  nice: number;
  /** Flags for the child's node (the parent's are not passed on: a profile or an inspector port is the parent's). */
  execArgv?: string[];
}

export function spawnTaskProcess(entry: URL, workerData: unknown, options: TaskProcessOptions): TaskChannel {
  const viaNice = options.nice > 0 && existsSync(NICE_PROGRAM);
  const nodeFlags = options.execArgv ?? [];
  const child: ChildProcess = fork(fileURLToPath(entry), [], {
    // `nice -n N node FLAGS entry`: fork runs execPath with execArgv before the script.
    execPath: viaNice ? NICE_PROGRAM : process.execPath,
    execArgv: viaNice ? ['-n', String(options.nice), process.execPath, ...nodeFlags] : nodeFlags,
    env: {
      ...process.env,
      TASK_WORKER_DATA: JSON.stringify(workerData ?? null),
      TASK_PROCESS_NICE: viaNice ? '' : String(options.nice),
    },
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return {
    postMessage: (message) => {
      child.send(message as never);
    },
    onMessage: (listener) => child.on('message', listener),
    onError: (listener) => child.on('error', listener),
    onExit: (listener) => child.on('exit', (code, signal) => listener(code ?? (signal ? 128 : 0))),
    ref: () => {
      child.ref();
      child.channel?.ref();
    },
    unref: () => {
      child.unref();
      child.channel?.unref();
    },
    terminate: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
