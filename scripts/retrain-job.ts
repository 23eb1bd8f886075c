/**
 * Runs one queued retrain job in this process: started by the child-process runner (laptop)
 * with the serving process's environment, or as the command of a cluster's retrain Job
 * (dist/server/retrain-job.mjs). `npm run retrain-job -- --job ID`
 */
import { parseArgs } from 'node:util';
import { handler } from '../functions/retrain-worker.ts';

const { values } = parseArgs({ options: { job: { type: 'string' } } });
if (!values.job) {
  process.stderr.write('usage: retrain-job --job JOB_ID\n');
  process.exit(2);
}
const result = await handler({ jobId: values.job });
process.exitCode = result.status === 'succeeded' ? 0 : 1;
