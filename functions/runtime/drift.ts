/** The drift service's dependencies in this container, retrain included. */
import type { DriftDeps } from '../../lib/drift/drift-service.ts';
import { retrainRequestSchema } from '../../lib/retrain/retrain-request.ts';
import { startRetrain } from '../../lib/retrain/start-retrain.ts';
import { getService } from './service.ts';

export async function driftDeps(): Promise<DriftDeps> {
  const service = await getService();
  return {
    ...service,
    async startRetrain(canary) {
      const result = await startRetrain(service, retrainRequestSchema.parse({ canary }), 'drift-policy');
      if (result.started) return { jobId: result.job.jobId };
      return result.reason === 'busy' ? { busy: true } : { error: result.error };
    },
  };
}
