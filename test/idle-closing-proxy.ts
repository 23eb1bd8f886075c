/**
 * Test helper: a TCP proxy in front of a store that closes every connection idle for longer than
 * `idleMs` after the store's last answer, as a server's keep-alive timeout does (Node's http
 * server: 5 s). A connection whose client spoke last is waiting for an answer and is left open.
 * It runs in a worker thread, so it keeps its own time while the test's thread is busy, as a
 * store in another process does while a retrain job trains.
 */
import { Worker } from 'node:worker_threads';

export interface IdleClosingProxy {
  port: number;
  /** Connections it has closed for being idle so far. */
  closed(): Promise<number>;
  close(): Promise<void>;
}

// Plain JavaScript: an eval'd worker does not go through tsx.
const PROXY_SOURCE = `
const { createServer, connect } = require('node:net');
const { parentPort, workerData } = require('node:worker_threads');
const { target, idleMs } = workerData;
const pairs = new Set();
let closed = 0;
const server = createServer((client) => {
  const upstream = connect(target, '127.0.0.1');
  // answered: the store spoke last (an idle kept-alive connection); false while a request waits.
  const pair = { client, upstream, last: Date.now(), answered: false };
  pairs.add(pair);
  for (const s of [client, upstream]) {
    s.on('data', () => {
      pair.last = Date.now();
      pair.answered = s === upstream;
    });
    s.on('error', () => undefined);
    s.on('close', () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    });
  }
  client.pipe(upstream);
  upstream.pipe(client);
});
setInterval(() => {
  const now = Date.now();
  for (const pair of pairs) {
    if (!pair.answered || now - pair.last <= idleMs) continue;
    pairs.delete(pair);
    closed += 1;
    pair.client.destroy();
    pair.upstream.destroy();
  }
}, Math.max(5, Math.floor(idleMs / 5)));
parentPort.on('message', (message) => {
  if (message === 'closed') parentPort.postMessage({ closed });
  if (message === 'stop') server.close(() => process.exit(0));
});
server.listen(0, '127.0.0.1', () => parentPort.postMessage({ port: server.address().port }));
`;

export function startIdleClosingProxy(target: number, idleMs: number): Promise<IdleClosingProxy> {
  const worker = new Worker(PROXY_SOURCE, { eval: true, workerData: { target, idleMs } });
  const next = <T>(field: string): Promise<T> =>
    new Promise((resolve, reject) => {
      const onMessage = (message: Record<string, T>): void => {
        if (!(field in message)) return;
        worker.off('message', onMessage);
        worker.off('error', reject);
        resolve(message[field]);
      };
      worker.on('message', onMessage);
      worker.on('error', reject);
    });
  return next<number>('port').then((port) => ({
    port,
    closed: () => {
      const answer = next<number>('closed');
      worker.postMessage('closed');
      return answer;
    },
    close: async () => {
      const exited = new Promise((resolve) => worker.once('exit', resolve));
      worker.postMessage('stop');
      await exited;
    },
  }));
}

/**
 * Keeps this thread busy for `ms` without running its event loop, as a synchronous stretch of
 * training does: closes that arrive meanwhile are seen only afterwards.
 */
export function busyFor(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
