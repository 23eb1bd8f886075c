/** The drift service's dependencies in this container for one model, retrain included. */
import type { DriftDeps } from '../../lib/drift/drift-service.ts';
import { retrainRequestSchema } from '../../lib/retrain/retrain-request.ts';
import { NoTrainingDataError, startRetrain } from '../../lib/retrain/start-retrain.ts';
import { getService } from './service.ts';

export async function driftDeps(model: string): Promise<DriftDeps> {
  const service = await getService();
  return {
    ...service,
    async startRetrain(canary) {
      try {
        const result = await startRetrain(
          { ...service, model },
          retrainRequestSchema.parse({ canary }),
          'drift-policy',
        );
        if (result.started) return { jobId: result.job.jobId };
        return result.reason === 'busy' ? { busy: true } : { error: result.error };
      } catch (err) {
        // A model other than the default has no data a drift retrain could train on.
        if (err instanceof NoTrainingDataError) return { error: err.message };
        throw err;
      }
    },
  };
}
