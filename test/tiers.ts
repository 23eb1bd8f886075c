/**
 * Every test file's tier, declared once: vitest.config.ts builds one project per tier from these
 * lists and refuses to start while a file under test/ is in no tier or in two (tierProblems), so a
 * new test file cannot silently fall out of `npm test`. A file's tier is what its heaviest test
 * does, read from the file and the helpers it calls, not guessed from its name:
 *
 * - unit: one thread of the test's own process: no socket (not even an embedded S3), no worker
 *   thread, no child process, no python, nothing written outside a temp dir. Pure functions and
 *   training with jobs: 1. Files run in parallel; the tier is the fast loop (`npm run test:unit`).
 * - integration: sockets or threads in the test's process: an embedded S3 (s3rver, port 0), the
 *   handlers behind the node:http adapter, a fake identity provider or Kubernetes API, TCP proxies
 *   that hang or close, lib/parallel's worker pools; and the Python references (one short
 *   execFileSync of /usr/bin/python3 with scikit-learn per check, no server, no build). Files run one at a time: several
 *   tests time how a server behaves under a stall (timeouts, idle sockets), which a parallel
 *   neighbour would skew.
 * - e2e: spawned programs: `npm start`, scripts/serve.ts, scripts/*.ts through tsx (runScript),
 *   the S3 process, serverless (offline, print, package), `npm run build` rewriting dist/, chromium,
 *   kubectl, promtool, prometheus, ansible, openssl, java. One at a time, after the other tiers:
 *   the build and package tests rewrite dist/ that serverless-offline serves.
 */
import { readdirSync } from 'node:fs';

export const TIER_NAMES = ['unit', 'integration', 'e2e'] as const;
export type Tier = (typeof TIER_NAMES)[number];

/** Paths relative to test/. */
export const TIERS: Record<Tier, readonly string[]> = {
  unit: [
    // Pure functions and in-process objects.
    'approx-one-walk.test.ts',
    'artifact-files.test.ts',
    'body-limit-default.test.ts',
    'boosting-options.test.ts',
    'boosting-quantise.test.ts',
    'canary.test.ts',
    'class-weights.test.ts',
    'console-approval-text.test.ts',
    'console-assets.test.ts',
    'console-policy-text.test.ts',
    'data.test.ts',
    'data-stream.test.ts',
    'decision-evidence.test.ts',
    'decision-weights.test.ts',
    'docs-links.test.ts',
    'drift.test.ts',
    'emf.test.ts',
    'fairness.test.ts',
    'forest-packing.test.ts',
    'four-eyes-rules.test.ts',
    'human-log.test.ts',
    'identities.test.ts',
    'route-table.test.ts',
    'import-layers.test.ts',
    'k8s-rehearse.test.ts',
    'kd-tree.test.ts',
    'metrics.test.ts',
    'model-name.test.ts',
    'open-inference-tensors.test.ts',
    'predict-request.test.ts',
    'predictor-batch.test.ts',
    'promotion-policy.test.ts',
    'retention-rules.test.ts',
    'sampling.test.ts',
    'scorecard-binning.test.ts',
    'scorecard-candidate.test.ts',
    'scorecard-columns.test.ts',
    'scorecard-logistic.test.ts',
    'scorecard-points.test.ts',
    'scorecard-report.test.ts',
    'scorecard-row-binner.test.ts',
    'scorecard-signs.test.ts',
    'lower-bound.test.ts',
    'param-specs.test.ts',
    'search-space-draws.test.ts',
    'tuning-scorecard.test.ts',
    'tiers.test.ts',
    'tree-shap-approx.test.ts',
    'tree-shap-linear.test.ts',
    'tree-shap.test.ts',
    'tree-slot.test.ts',
    'trees.test.ts',
    'xgboost-interop.test.ts',
    // Training in this thread (jobs: 1).
    'fairness-training.test.ts',
    'spec.test.ts',
  ],
  integration: [
    // The handlers behind the node:http adapter in this process (startInProcessApi, createAdapter).
    'api-edges.test.ts',
    'concurrent-promotes.test.ts',
    'four-eyes-api.test.ts',
    'http-api.test.ts',
    'many-models.test.ts',
    'model-card.test.ts',
    'model-contract.test.ts',
    'observe.test.ts',
    'openapi.test.ts',
    'promotion-policy-api.test.ts',
    'readme-examples.test.ts',
    'release.test.ts',
    'retention.test.ts',
    'retrain-metrics.test.ts',
    'served-fairness-e2e.test.ts',
    'timeouts.test.ts',
    // Other in-process servers: an identity provider, a secrets endpoint, TCP proxies that stall.
    'document-store.test.ts',
    'identities-api.test.ts',
    'idle-connection-writes.test.ts',
    'info-from-memory.test.ts',
    'object-store.test.ts',
    'oidc.test.ts',
    'secrets.test.ts',
    'stale-sockets.test.ts',
    // An embedded S3 (s3rver in this process, port 0), no server of ours.
    'answer-lookup.test.ts',
    'approval-race.test.ts',
    'capture.test.ts',
    'emf-invocation.test.ts',
    'failed-publish.test.ts',
    'four-eyes-retrain.test.ts',
    'history-pages.test.ts',
    'monitoring.test.ts',
    'monitoring-canary-reads.test.ts',
    'monitoring-drift-counts.test.ts',
    'off-thread-reads.test.ts',
    'registry.test.ts',
    'retrain-promotion-policy.test.ts',
    'retrain-worker-failed.test.ts',
    'serving-fairness.test.ts',
    'verification-sharing.test.ts',
    // Worker threads: lib/parallel's pools (training, batch scoring) and the monitoring reads' worker.
    'boosting-team.test.ts',
    'parallel-batch.test.ts',
    'parallel-training.test.ts',
    'task-process.test.ts',
    'pool-neighbours.test.ts',
    'roll-up-reporting.test.ts',
    'training-options.test.ts',
    'tuning-scorecard-pool.test.ts',
    // The Python references (scikit-learn through /usr/bin/python3).
    'calibration-metrics.test.ts',
    'calibrators.test.ts',
    'ranking-metrics.test.ts',
    'scorecard-reference.test.ts',
  ],
  e2e: [
    // Our scripts as a user runs them (tsx scripts/*.ts, bin/credit-score.mjs).
    'calibration.test.ts',
    'cli.test.ts',
    'decision-rule.test.ts',
    'pipeline-service-url.test.ts',
    'pipeline-wait-revision.test.ts',
    'registry-cli.test.ts',
    'run-schedule.test.ts',
    'scorecard-serving.test.ts',
    'training-cli.test.ts',
    'tuning.test.ts',
    // `npm start`, scripts/serve.ts, the S3 process, serverless-offline, the built container entry.
    'bad-input-table.test.ts',
    'bootstrap-order.test.ts',
    'chaos.test.ts',
    'launcher-signals.test.ts',
    'container.test.ts',
    'pipeline-bootstrap.test.ts',
    'readme-own-data.test.ts',
    'serverless-offline.test.ts',
    'start-terminal.test.ts',
    'start.test.ts',
    // Serverless print and package (dist/, .serverless/).
    'lambda-permissions.test.ts',
    'packaging.test.ts',
    // Chromium.
    'console-approvals.test.ts',
    'console-card.test.ts',
    'console-scorecard-card.test.ts',
    'console-contract.test.ts',
    'console-models.test.ts',
    'console.test.ts',
    // Other programs: kubectl, promtool, prometheus, ansible, openssl, java.
    'ansible.test.ts',
    'dashboards.test.ts',
    'jenkins.test.ts',
    'k8s.test.ts',
    'kubernetes-job-runner.test.ts',
    'log-shipping.test.ts',
    'pipeline-release-overlay.test.ts',
    'prometheus.test.ts',
  ],
};

/** The test files under `dir` (test/), as paths relative to it. */
export function testFilesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((path) => path.split('\\').join('/'))
    .filter((path) => path.endsWith('.test.ts'))
    .sort();
}

/** What is wrong with `tiers` for these test files: a file in no tier, in two, or listed but absent. */
export function tierProblems(files: readonly string[], tiers: Record<Tier, readonly string[]> = TIERS): string[] {
  const problems: string[] = [];
  const tiersOf = new Map<string, Tier[]>();
  for (const tier of TIER_NAMES)
    for (const file of tiers[tier]) tiersOf.set(file, [...(tiersOf.get(file) ?? []), tier]);
  for (const file of files) {
    const found = tiersOf.get(file) ?? [];
    if (found.length === 0) problems.push(`test/${file} is in no tier: add it to one list in test/tiers.ts`);
    if (found.length > 1)
      problems.push(`test/${file} is in ${found.length} tiers (${found.join(', ')}): keep it in one`);
  }
  const present = new Set(files);
  for (const file of tiersOf.keys())
    if (!present.has(file)) problems.push(`test/tiers.ts lists test/${file}, which does not exist`);
  return problems;
}
