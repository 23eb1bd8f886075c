/**
 * Waits, after `kubectl apply`, until the Knative Service serves the revision made from what was
 * just applied (Jenkins' Deploy stage, cluster), so Verify never tests the revision before it:
 *
 *   npx tsx scripts/pipeline/wait-revision.ts --namespace credit-score --service credit-score-api
 *
 * prints the Service's URL (the revision on standard error); exits 1 when the revision fails or
 * the wait times out.
 * The first read's metadata.generation is this apply's (the API server bumps it synchronously on
 * a spec change). status.observedGeneration alone does not prove Knative acted on it: the
 * Service reconciler (knative/serving knative-v1.15.2, pkg/reconciler/service/service.go,
 * ReconcileKind) returns without error while its Configuration or Route has not yet observed
 * their new generation, only marking ConfigurationsReady / RoutesReady Unknown and keeping the
 * previous latestCreatedRevisionName. So the revision counts as this deploy's, and serving, when
 * the Service has observed the applied generation AND is Ready (which needs both children
 * reconciled), latestReadyRevisionName equals latestCreatedRevisionName, and the route sends it
 * 100 % of the traffic (with a rollout duration Knative moves traffic over gradually).
 */
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';

interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
}

/** The parts of a serving.knative.dev/v1 Service this reads (`kubectl get ksvc NAME -o json`). */
export interface KnativeService {
  metadata: { name: string; generation?: number };
  status?: {
    observedGeneration?: number;
    conditions?: Condition[];
    latestCreatedRevisionName?: string;
    latestReadyRevisionName?: string;
    url?: string;
    traffic?: { revisionName?: string; percent?: number; tag?: string }[];
  };
}

export type Rollout =
  | { state: 'waiting'; reason: string }
  | { state: 'failed'; reason: string }
  | { state: 'serving'; revision: string; url: string };

const condition = (ksvc: KnativeService, type: string): Condition | undefined =>
  ksvc.status?.conditions?.find((c) => c.type === type);
const describe = (c: Condition | undefined): string =>
  c
    ? `${c.type}=${c.status}${c.reason ? ` (${c.reason}${c.message ? `: ${c.message}` : ''})` : ''}`
    : 'no condition yet';

/** Whether `ksvc` serves the revision made from generation `generation` (or a later one). */
export function rolloutState(ksvc: KnativeService, generation: number): Rollout {
  const status = ksvc.status ?? {};
  if ((status.observedGeneration ?? 0) < generation)
    return {
      state: 'waiting',
      reason: `observed generation ${status.observedGeneration ?? 'none'}, applied ${generation}`,
    };
  const created = status.latestCreatedRevisionName;
  if (!created) return { state: 'waiting', reason: 'no revision created yet' };
  // A revision that cannot start (image pull, crash, refused by the webhook) turns the
  // Configuration's readiness False; Knative does not retry it by itself.
  const configurations = condition(ksvc, 'ConfigurationsReady');
  if (configurations?.status === 'False')
    return { state: 'failed', reason: `revision ${created}: ${describe(configurations)}` };
  if (status.latestReadyRevisionName !== created)
    return {
      state: 'waiting',
      reason: `revision ${created} not ready yet (latest ready: ${status.latestReadyRevisionName ?? 'none'})`,
    };
  const ready = condition(ksvc, 'Ready');
  if (ready?.status !== 'True') return { state: 'waiting', reason: describe(ready) };
  const percent = (status.traffic ?? [])
    .filter((t) => t.revisionName === created)
    .reduce((sum, t) => sum + (t.percent ?? 0), 0);
  if (percent !== 100) return { state: 'waiting', reason: `revision ${created} has ${percent} % of the traffic` };
  if (!status.url) return { state: 'waiting', reason: 'no URL yet' };
  return { state: 'serving', revision: created, url: status.url };
}

/** Polls `read` until the rollout is serving or failed; throws with the last reason after `timeoutMs`. */
export async function waitForRollout(
  read: () => KnativeService,
  options: { timeoutMs: number; intervalMs: number; log?: (line: string) => void },
): Promise<{ revision: string; url: string }> {
  const first = read();
  const generation = first.metadata.generation ?? 0;
  const deadline = Date.now() + options.timeoutMs;
  let ksvc = first;
  let last = '';
  while (true) {
    const rollout = rolloutState(ksvc, generation);
    if (rollout.state === 'serving') return { revision: rollout.revision, url: rollout.url };
    if (rollout.state === 'failed') throw new Error(rollout.reason);
    if (rollout.reason !== last) options.log?.(`waiting: ${rollout.reason}`);
    last = rollout.reason;
    if (Date.now() > deadline) throw new Error(`not serving after ${options.timeoutMs / 1000} s: ${rollout.reason}`);
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs));
    ksvc = read();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      namespace: { type: 'string', default: 'credit-score' },
      service: { type: 'string', default: 'credit-score-api' },
      timeout: { type: 'string', default: '1200' }, // seconds: the api's progress-deadline (base/service-api.yaml)
      interval: { type: 'string', default: '5' },
    },
  });
  const read = (): KnativeService =>
    JSON.parse(
      execFileSync('kubectl', ['-n', values.namespace, 'get', 'ksvc', values.service, '-o', 'json'], {
        encoding: 'utf8',
      }),
    ) as KnativeService;
  try {
    const serving = await waitForRollout(read, {
      timeoutMs: Number(values.timeout) * 1000,
      intervalMs: Number(values.interval) * 1000,
      log: (line) => process.stderr.write(`${line}\n`),
    });
    process.stderr.write(`serving revision ${serving.revision}\n`);
    process.stdout.write(`${serving.url}\n`);
  } catch (err) {
    process.stderr.write(`wait-revision: ${(err as Error).message}\n`);
    process.exitCode = 1;
  }
}
