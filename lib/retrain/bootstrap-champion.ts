/**
 * An empty registry gets a first model to serve: the default candidate (boosting, no
 * resampling, 2-fold scores: seconds, not the minutes of the full search), registered and made
 * "champion". A registry with versions but no champion points it at the newest version; one
 * with a champion is left alone. Used by `npm start` and by the cluster's one-shot bootstrap
 * Job (dist/server/bootstrap.mjs), so an empty cluster can always make its first model.
 */
import { loadSpec } from '../data/spec.ts';
import type { ModelRegistry } from '../registry/model-registry.ts';
import { trainModel } from '../pipeline/pipeline.ts';
import type { ProgressReporter } from '../training/progress.ts';

export interface BootstrapOutcome {
  /** trained: a first model was trained; pointed: an existing version was made champion; present: nothing to do. */
  action: 'trained' | 'pointed' | 'present';
  version: string;
  /** The trained model's 2-fold macro F1 (trained only). */
  f1Macro?: number;
  title?: string;
}

export async function bootstrapChampion(
  registry: ModelRegistry,
  options: {
    name: string;
    dataFile: string;
    specFile: string;
    actor: string;
    progress?: ProgressReporter;
    jobs?: number;
  },
): Promise<BootstrapOutcome> {
  const current = await registry.getAlias(options.name, 'champion');
  if (current) return { action: 'present', version: current.version };
  const versions = await registry.listVersions(options.name);
  let outcome: BootstrapOutcome;
  if (versions.length) {
    outcome = { action: 'pointed', version: versions[versions.length - 1] };
  } else {
    const result = await trainModel({
      dataFile: options.dataFile,
      spec: loadSpec(options.specFile),
      folds: 2,
      seed: 42,
      classifiers: ['xgb'],
      samplers: ['none'],
      progress: options.progress,
      jobs: options.jobs,
    });
    const { version } = await registry.publish(options.name, result.files, {
      createdBy: options.actor,
      source: options.dataFile,
      reason: 'bootstrap: first model, the default candidate',
    });
    outcome = { action: 'trained', version, f1Macro: result.report.best.cv.f1_macro, title: result.report.best.title };
  }
  // Only if still absent: two bootstraps at once (a Job retried, npm start twice) point it once.
  const moved = await registry.moveAlias(options.name, 'champion', (doc) => (doc ? null : outcome.version), {
    reason: 'bootstrap: first model of this registry',
    actor: options.actor,
  });
  if (moved) return outcome;
  return { action: 'present', version: (await registry.getAlias(options.name, 'champion'))!.version };
}
