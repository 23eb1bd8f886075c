/**
 * A bounded HTTP load for the benchmarks: N keep-alive connections posting one body in closed
 * loops, until a request count or a time limit; every request has its own timeout. Latency is
 * measured per request from the client's side; errors and timeouts are counted, not thrown.
 */
import { Agent, request } from 'node:http';

export interface LoadOptions {
  port: number;
  path: string;
  body: string;
  connections: number;
  maxRequests: number;
  maxSeconds: number;
  /** A request not answered within this many ms counts as a timeout. */
  timeoutMs?: number;
  /** Called once a second with the elapsed seconds (e.g. to sample the server's memory). */
  onSecond?: (second: number) => void;
}

export interface LoadResult {
  requests: number;
  errors: number;
  timeouts: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
  perSecond: number;
  seconds: number;
}

type Outcome = { status: number } | { timeout: true } | { error: string };

export function post(agent: Agent, port: number, path: string, body: string, timeoutMs = 10_000): Promise<Outcome> {
  return new Promise((resolve) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        agent,
        timeout: timeoutMs,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
      },
    );
    req.on('timeout', () => {
      req.destroy();
      resolve({ timeout: true });
    });
    req.on('error', (err) => resolve({ error: err.message }));
    req.end(body);
  });
}

export function summarize(latencies: number[], seconds: number, errors = 0, timeouts = 0): LoadResult {
  latencies.sort((a, b) => a - b);
  const at = (q: number): number => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  return {
    requests: latencies.length,
    errors,
    timeouts,
    p50: at(0.5),
    p99: at(0.99),
    p999: at(0.999),
    max: latencies[latencies.length - 1] ?? NaN,
    perSecond: latencies.length / seconds,
    seconds,
  };
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections });
  const latencies: number[] = [];
  let errors = 0;
  let timeouts = 0;
  let sent = 0;
  const started = performance.now();
  const deadline = started + options.maxSeconds * 1000;
  let second = 0;
  const ticker = options.onSecond ? setInterval(() => options.onSecond!(++second), 1000) : null;
  await Promise.all(
    Array.from({ length: options.connections }, async () => {
      while (sent < options.maxRequests && performance.now() < deadline) {
        sent++;
        const t0 = performance.now();
        const outcome = await post(agent, options.port, options.path, options.body, options.timeoutMs);
        if ('timeout' in outcome) timeouts++;
        else if ('error' in outcome || outcome.status !== 200) errors++;
        else latencies.push(performance.now() - t0);
      }
    }),
  );
  if (ticker) clearInterval(ticker);
  agent.destroy();
  return summarize(latencies, (performance.now() - started) / 1000, errors, timeouts);
}

/**
 * An open-loop load: requests sent at a fixed rate whether or not earlier ones were answered,
 * each timed from when it was due (not when it went out), so a server that stalls is charged for
 * every request that waited behind the stall (no coordinated omission). A rate well below the
 * server's capacity measures latency, not saturation. At most 256 requests in flight.
 */
export async function runOpenLoad(options: {
  port: number;
  path: string;
  body: string;
  ratePerSecond: number;
  seconds: number;
  timeoutMs?: number;
}): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const latencies: number[] = [];
  let errors = 0;
  let timeouts = 0;
  const total = Math.round(options.ratePerSecond * options.seconds);
  const started = performance.now();
  const inFlight = new Set<Promise<void>>();
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / options.ratePerSecond;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    if (inFlight.size >= 256) await Promise.race(inFlight);
    const request = post(agent, options.port, options.path, options.body, options.timeoutMs).then((outcome) => {
      if ('timeout' in outcome) timeouts++;
      else if ('error' in outcome || outcome.status !== 200) errors++;
      else latencies.push(performance.now() - due);
      inFlight.delete(request);
    });
    inFlight.add(request);
  }
  await Promise.all(inFlight);
  agent.destroy();
  return summarize(latencies, (performance.now() - started) / 1000, errors, timeouts);
}

/** Waits until the server answers the body with 200, bounded. */
export async function waitForAnswer(
  port: number,
  path: string,
  body: string,
  isAlive: () => boolean,
  timeoutMs = 180_000,
): Promise<number> {
  const started = performance.now();
  const agent = new Agent();
  while (performance.now() - started < timeoutMs) {
    if (!isAlive()) throw new Error('the server exited before it answered');
    const outcome = await post(agent, port, path, body, 2000);
    if ('status' in outcome && outcome.status === 200) return performance.now() - started;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no answer within ${timeoutMs / 1000} s`);
}
