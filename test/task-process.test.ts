/**
 * The worker pool with child processes for workers (lib/parallel/task-process.ts): the same
 * answers and the same fault handling as with threads, the work in another process, and no
 * child left behind when its parent dies without closing the pool.
 */
import { execFileSync, spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { spawnTaskProcess } from '../lib/parallel/task-process.ts';
import { WorkerPool } from '../lib/parallel/worker-pool.ts';

const entry = new URL('./fixtures/workers/faulty-worker-entry.mjs', import.meta.url);
const processPool = (size: number): WorkerPool =>
  new WorkerPool(entry, size, null, (url, data) => spawnTaskProcess(url, data, { nice: 0 }));

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('the worker pool on child processes', () => {
  it('answers in other processes, and rejects a task whose worker throws, exits or dies, names it, replaces the worker, and goes on', async () => {
    const pool = processPool(2);
    try {
      const first = await pool.run<{ value: number; pid: number }>({ kind: 'echo', value: 7 });
      expect(first.value).toBe(7);
      expect(first.pid).not.toBe(process.pid);
      await expect(pool.run({ kind: 'throw' })).rejects.toThrow(/throw failed in a worker: asked to fail/);
      await expect(pool.run({ kind: 'exit' })).rejects.toThrow(
        /a worker exited with code 3 while it ran exit; it was replaced/,
      );
      // An uncaught error ends a process (code 1), where it only ends a thread.
      await expect(pool.run({ kind: 'uncaught' })).rejects.toThrow(
        /a worker exited with code 1 while it ran uncaught; it was replaced/,
      );
      const answers = await Promise.all(
        Array.from({ length: 6 }, (_, i) => pool.run<{ value: number; pid: number }>({ kind: 'echo', value: i })),
      );
      expect(answers.map((a) => a.value)).toEqual([0, 1, 2, 3, 4, 5]);
      expect(answers.every((a) => a.pid !== process.pid)).toBe(true);
    } finally {
      await pool.close();
    }
  });

  it('stops its children when closed, and never hangs a caller', async () => {
    const pool = processPool(1);
    const { pid } = await pool.run<{ pid: number }>({ kind: 'echo', value: 0 });
    expect(alive(pid)).toBe(true);
    const pending = pool.run({ kind: 'uncaught' }).then(
      () => 'answered',
      (err: Error) => err.message,
    );
    await pool.close();
    expect(await pending).toMatch(/the worker pool was closed while uncaught ran/);
    for (let i = 0; i < 200 && alive(pid); i++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(alive(pid)).toBe(false);
  });

  it('leaves no child behind when its parent is killed without closing the pool', async () => {
    const parent = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/workers/orphan-parent.ts'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    parent.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const signal = await new Promise((resolve) => parent.once('exit', (_code, sig) => resolve(sig)));
    expect(signal).toBe('SIGKILL');
    const child = Number(out.trim());
    expect(child).toBeGreaterThan(0);
    // The IPC channel's end is the child's cue to exit.
    for (let i = 0; i < 200 && alive(child); i++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(alive(child)).toBe(false);
  });

  it.runIf(process.platform === 'linux')('starts every thread of the child at the niceness asked for', async () => {
    const pool = new WorkerPool(entry, 1, null, (url, data) => spawnTaskProcess(url, data, { nice: 7 }));
    try {
      const { pid } = await pool.run<{ pid: number }>({ kind: 'echo', value: 0 });
      const nices = execFileSync('ps', ['-L', '-o', 'nice=', '-p', String(pid)], { encoding: 'utf8' })
        .trim()
        .split('\n')
        .map(Number);
      expect(nices.length).toBeGreaterThan(1);
      expect(nices).toEqual(nices.map(() => 7));
    } finally {
      await pool.close();
    }
  });
});
