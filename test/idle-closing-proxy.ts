/**
 * Test helper: a TCP proxy in front of a store that closes every connection idle for longer than
 * `idleMs` after the store's last answer, as a server's keep-alive timeout does (Node's http
 * server: 5 s). A connection whose client spoke last is waiting for an answer and is left open.
 * It runs in a worker thread, so it keeps its own time while the test's thread is busy, as a
 * store in another process does while a retrain job trains; the connections it holds open are
 * counted in shared memory, which the busy thread can read without running its event loop.
 */
import { Worker } from 'node:worker_threads';

export interface IdleClosingProxy {
  port: number;
  /** Connections it has closed for being idle so far. */
  closed(): number;
  /**
   * Keeps this thread busy, without running its event loop (as a synchronous stretch of
   * training does), until the proxy holds no connection open: every kept-alive connection of
   * this process is then closed, and this thread has not seen it.
   */
  busyUntilAllClosed(): void;
  close(): Promise<void>;
}

// Plain JavaScript: an eval'd worker does not go through tsx. counts[0]: connections open, counts[1]: closed for being idle.
const PROXY_SOURCE = `
const { createServer, connect } = require('node:net');
const { parentPort, workerData } = require('node:worker_threads');
const { target, idleMs, counts } = workerData;
const pairs = new Set();
function drop(pair, idle) {
  if (!pairs.delete(pair)) return;
  pair.client.destroy();
  pair.upstream.destroy();
  if (idle) Atomics.add(counts, 1, 1);
  Atomics.sub(counts, 0, 1);
  Atomics.notify(counts, 0);
}
const server = createServer((client) => {
  const upstream = connect(target, '127.0.0.1');
  // answered: the store spoke last (an idle kept-alive connection); false while a request waits.
  const pair = { client, upstream, last: Date.now(), answered: false };
  pairs.add(pair);
  Atomics.add(counts, 0, 1);
  for (const s of [client, upstream]) {
    s.on('data', () => {
      pair.last = Date.now();
      pair.answered = s === upstream;
    });
    s.on('error', () => undefined);
    s.on('close', () => drop(pair, false));
  }
  client.pipe(upstream);
  upstream.pipe(client);
});
setInterval(() => {
  const now = Date.now();
  for (const pair of pairs) if (pair.answered && now - pair.last > idleMs) drop(pair, true);
}, Math.max(5, Math.floor(idleMs / 5)));
parentPort.on('message', (message) => {
  if (message === 'stop') server.close(() => process.exit(0));
});
server.listen(0, '127.0.0.1', () => parentPort.postMessage({ port: server.address().port }));
`;

export function startIdleClosingProxy(target: number, idleMs: number): Promise<IdleClosingProxy> {
  const counts = new Int32Array(new SharedArrayBuffer(8));
  const worker = new Worker(PROXY_SOURCE, { eval: true, workerData: { target, idleMs, counts } });
  return new Promise((resolve, reject) => {
    worker.once('error', reject);
    worker.once('message', ({ port }: { port: number }) => {
      worker.off('error', reject);
      resolve({
        port,
        closed: () => Atomics.load(counts, 1),
        busyUntilAllClosed: () => {
          for (let open = Atomics.load(counts, 0); open > 0; open = Atomics.load(counts, 0))
            Atomics.wait(counts, 0, open);
        },
        close: async () => {
          const exited = new Promise((done) => worker.once('exit', done));
          worker.postMessage('stop');
          await exited;
        },
      });
    });
  });
}
