/** The scheduled drift check (hourly on AWS; a CronJob or PingSource in a cluster): captured traffic of the window. */
import { capturedCounts, driftDeps, runDriftCheck, servingModel } from './runtime/layer.ts';

export async function handler(): Promise<{ verdict: string; action: string; rows: number; jobId?: string }> {
  const deps = await driftDeps();
  const model = await servingModel();
  const { counts, source } = await capturedCounts(deps, model);
  const report = await runDriftCheck(deps, model, { counts }, source, true);
  return { verdict: report.verdict, action: report.action, rows: report.rows, ...(report.jobId ? { jobId: report.jobId } : {}) };
}
