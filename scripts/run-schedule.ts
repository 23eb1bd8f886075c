/**
 * Runs one scheduled task once and exits: the cluster's CronJobs run it with the image's own
 * Node.js (`dist/server/run-schedule.mjs drift|canary|housekeeping`), the same handlers AWS
 * runs on its schedules, against the store in the environment. Prints the result as one JSON
 * line; exits 1 on failure (the Job then shows it failed), 2 on a usage error.
 */
import { handler as canary } from '../functions/canary-scheduler.ts';
import { handler as drift } from '../functions/drift-scheduler.ts';
import { handler as housekeeping } from '../functions/housekeeping-scheduler.ts';
import { shutdownService } from '../functions/runtime/service.ts';

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
} catch (err) {
  process.stderr.write(`${name} failed: ${(err as Error).message}\n`);
  process.exitCode = 1;
} finally {
  // Buffered captures and logs are written before the pod ends.
  await shutdownService();
}
// Timers of the service (alias refresh) must not keep a finished Job's pod alive.
process.exit(process.exitCode ?? 0);
