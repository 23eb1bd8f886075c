/**
 * The first model of a freshly deployed stack (Jenkins' Deploy stage, before Verify): a new
 * Lambda stage or cluster starts with an empty registry, so `GET /model/info` answers 503 and the
 * smoke check would fail a good deploy. When no model serves, this starts a retrain that promotes
 * its result (`POST /model/retrain` with `{"promote": true}`, the admin key from ADMIN_API_KEY),
 * follows the job to its end and waits until the api serves a model. A stack that already serves
 * one is left alone, so every deploy can run it.
 *
 *   ADMIN_API_KEY=... npx tsx scripts/pipeline/bootstrap-stack.ts --url "$SERVICE_URL"
 *
 * Prints one JSON line ({"bootstrap": "present" | "trained", "version": ...}); exits 1 naming
 * what failed.
 */
import { parseArgs } from 'node:util';

interface Job {
  jobId: string;
  status: string;
  error?: unknown;
  result?: { version?: string; promoted?: boolean };
}

export interface BootstrapOptions {
  url: string;
  adminKey: string;
  /** Extra fields of the retrain request (e.g. a smaller search); `promote: true` always wins. */
  request?: Record<string, unknown>;
  timeoutMs: number;
  intervalMs: number;
  log?: (line: string) => void;
}

export type BootstrapOutcome = { bootstrap: 'present' | 'trained'; version: string; jobId?: string };

async function call(url: string, init: RequestInit = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(30_000) });
  const text = await response.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = { text: text.slice(0, 300) };
  }
  return { status: response.status, body };
}

/** The serving model's version, or null while the api answers 503 (no model yet); throws on anything else. */
async function servingVersion(base: string): Promise<string | null> {
  const { status, body } = await call(`${base}/model/info`);
  if (status === 200) return (body.model as { version: string }).version;
  if (status === 503) return null;
  throw new Error(`GET /model/info answered ${status}: ${JSON.stringify(body).slice(0, 300)}`);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function bootstrapStack(options: BootstrapOptions): Promise<BootstrapOutcome> {
  const base = options.url.replace(/\/$/, '');
  const deadline = Date.now() + options.timeoutMs;
  const present = await servingVersion(base);
  if (present) return { bootstrap: 'present', version: present };

  const headers = { 'x-api-key': options.adminKey, 'content-type': 'application/json' };
  const started = await call(`${base}/model/retrain`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ ...options.request, promote: true }),
  });
  let jobId: string;
  if (started.status === 202) {
    jobId = started.body.jobId as string;
  } else if (started.status === 409) {
    // A retrain already runs (an earlier attempt of this pipeline, say): follow that one.
    const running = /job (\S+), since/.exec(JSON.stringify(started.body));
    if (!running)
      throw new Error(
        `POST /model/retrain answered 409 without a job id: ${JSON.stringify(started.body).slice(0, 300)}`,
      );
    jobId = running[1];
  } else {
    throw new Error(`POST /model/retrain answered ${started.status}: ${JSON.stringify(started.body).slice(0, 300)}`);
  }
  options.log?.(`bootstrap: following retrain job ${jobId}`);

  let last = '';
  while (true) {
    const { status, body } = await call(`${base}/model/retrain/${jobId}`, { headers });
    if (status !== 200)
      throw new Error(`GET /model/retrain/${jobId} answered ${status}: ${JSON.stringify(body).slice(0, 300)}`);
    const job = body as unknown as Job;
    if (job.status === 'failed')
      throw new Error(`retrain job ${jobId} failed: ${JSON.stringify(job.error ?? body).slice(0, 500)}`);
    if (job.status === 'succeeded') break;
    if (job.status !== last) options.log?.(`bootstrap: job ${jobId} ${job.status}`);
    last = job.status;
    if (Date.now() > deadline)
      throw new Error(`retrain job ${jobId} still ${job.status} after ${options.timeoutMs / 1000} s`);
    await sleep(options.intervalMs);
  }
  // The api picks up the new champion on its next alias refresh.
  while (true) {
    const version = await servingVersion(base);
    if (version) return { bootstrap: 'trained', version, jobId };
    if (Date.now() > deadline)
      throw new Error(`retrain job ${jobId} succeeded, but no model serves after ${options.timeoutMs / 1000} s`);
    await sleep(options.intervalMs);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      url: { type: 'string' },
      request: { type: 'string', default: '{}' },
      // Lambda's retrain worker stops at 15 minutes; a cluster Job at an hour (base: activeDeadlineSeconds).
      timeout: { type: 'string', default: '3900' },
      interval: { type: 'string', default: '10' },
    },
  });
  const adminKey = process.env.ADMIN_API_KEY;
  if (!values.url || !adminKey) {
    process.stderr.write(
      'usage: ADMIN_API_KEY=... npx tsx scripts/pipeline/bootstrap-stack.ts --url URL [--request JSON] [--timeout SECONDS]\n',
    );
    process.exit(2);
  }
  try {
    const outcome = await bootstrapStack({
      url: values.url,
      adminKey,
      request: JSON.parse(values.request) as Record<string, unknown>,
      timeoutMs: Number(values.timeout) * 1000,
      intervalMs: Number(values.interval) * 1000,
      log: (line) => process.stderr.write(`${line}\n`),
    });
    process.stdout.write(`${JSON.stringify(outcome)}\n`);
  } catch (err) {
    process.stderr.write(`bootstrap-stack: ${(err as Error).message}\n`);
    process.exitCode = 1;
  }
}
