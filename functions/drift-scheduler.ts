/** The scheduled drift check (hourly on AWS; a CronJob or PingSource in a cluster): captured traffic of the window. */
import { capturedRows, driftDeps, runDriftCheck, servingModel } from './runtime/layer.ts';

export async function handler(): Promise<{ verdict: string; action: string; rows: number; jobId?: string }> {
  const deps = await driftDeps();
  const { rows, source } = await capturedRows(deps);
  const report = await runDriftCheck(deps, await servingModel(), rows, source, true);
  return { verdict: report.verdict, action: report.action, rows: report.rows, ...(report.jobId ? { jobId: report.jobId } : {}) };
}
