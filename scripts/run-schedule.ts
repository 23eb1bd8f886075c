/**
 * Runs one scheduled task once and exits: the cluster's CronJobs run it with the image's own
 * Node.js (`dist/server/run-schedule.mjs drift|canary|housekeeping`), the same handlers AWS
 * runs on its schedules, against the store in the environment. Prints the result as one JSON
 * line; exits 1 on failure (the Job then shows it failed), 2 on a usage error.
 */
import { handler as canary } from '../functions/canary-scheduler.ts';
import { handler as drift } from '../functions/drift-scheduler.ts';
import { handler as housekeeping } from '../functions/housekeeping-scheduler.ts';
import { getBasics, getService, shutdownService } from '../functions/runtime/service.ts';

const TASKS: Record<string, () => Promise<unknown>> = { drift, canary, housekeeping };

const name = process.argv[2] ?? '';
const task = TASKS[name];
if (!task) {
  process.stderr.write(`usage: run-schedule ${Object.keys(TASKS).join('|')}\n`);
  process.exit(2);
}
try {
  const result = await task();
  process.stdout.write(`${JSON.stringify({ task: name, result })}\n`);
  // A retrain the drift check started as a child process dies with this pod: stay until it ends.
  // (In the cluster it is a Job of its own, RETRAIN_RUNNER=kubernetes, and nothing is held.)
  const perModel = (result as { models?: { model: string; jobId?: string; error?: string }[] }).models ?? [];
  if (getBasics().config.RETRAIN_RUNNER === 'child-process') {
    for (const { model, jobId } of perModel)
      if (jobId) process.stdout.write(`${JSON.stringify({ task: name, model, retrain: await waitForJob(jobId) })}\n`);
  }
  // A model the task failed for fails the Job, after the others were done.
  const failed = perModel.filter((m) => m.error !== undefined);
  if (failed.length) {
    process.stderr.write(`${name} failed for ${failed.map((m) => `${m.model} (${m.error})`).join(', ')}\n`);
    process.exitCode = 1;
  }
} catch (err) {
  process.stderr.write(`${name} failed: ${(err as Error).message}\n`);
  process.exitCode = 1;
} finally {
  // Buffered captures and logs are written before the pod ends.
  await shutdownService();
}
// Timers of the service (alias refresh) must not keep a finished Job's pod alive.
process.exit(process.exitCode ?? 0);

/** The job's final status, polled every 5 s for at most the retrain lock's lifetime. */
async function waitForJob(jobId: string): Promise<string> {
  const { jobs } = await getService();
  const until = Date.now() + getBasics().config.RETRAIN_LOCK_SECONDS * 1000;
  for (;;) {
    const job = await jobs.get(jobId);
    if (!job || (job.status !== 'queued' && job.status !== 'running')) return job?.status ?? 'unknown';
    if (Date.now() > until) return job.status;
    await new Promise((resolve) => setTimeout(resolve, 5_000));
  }
}
