/**
 * The cluster's one-shot bootstrap (k8s-fallback/base/bootstrap-job.yaml runs it as the image's
 * own command, `dist/server/bootstrap.mjs`): when the registry has no champion, train the first
 * model (the default candidate) on DEFAULT_TRAINING_DATA, register it and make it champion, so
 * the api, whose readiness needs a model, becomes ready. A registry with a champion is left
 * alone, so the Job can run on every apply. Prints one JSON line; exits 1 on failure.
 */
import { getBasics, getService, shutdownService } from '../functions/runtime/service.ts';
import { closeTrainingPools } from '../lib/training/training-pool.ts';
import { bootstrapChampion } from '../lib/retrain/bootstrap-champion.ts';
import { createProgressReporter } from '../lib/training/progress.ts';

try {
  const { config } = getBasics();
  const { registry } = await getService();
  const outcome = await bootstrapChampion(registry, {
    name: config.MODEL_NAME,
    dataFile: config.DEFAULT_TRAINING_DATA,
    specFile: config.DEFAULT_SPEC_FILE,
    actor: 'bootstrap job',
    progress: createProgressReporter(process.stderr),
  });
  process.stdout.write(`${JSON.stringify({ bootstrap: outcome })}\n`);
} catch (err) {
  process.stderr.write(`bootstrap failed: ${(err as Error).message}\n`);
  process.exitCode = 1;
} finally {
  await closeTrainingPools();
  await shutdownService();
}
process.exit(process.exitCode ?? 0);
