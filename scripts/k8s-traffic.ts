/**
 * npm run k8s:traffic -- --current REVISION (--canary PERCENT | --promote | --rollback)
 *   [--service credit-score-api] [--namespace credit-score] [--format patch|kubectl]
 * A Knative-level split of the api between the revision serving now (tag `current`) and the
 * latest one (tag `candidate`, reachable at its tag URL for checks before it gets traffic), for
 * code releases: --canary 10 gives the latest revision 10 %, --promote 100 %, --rollback 0 %.
 * Prints a kustomize patch to add to an overlay (`patch`, the default) or the `kubectl patch`
 * command that applies it to a running cluster. REVISION is what `kubectl get ksvc
 * credit-score-api -o jsonpath='{.status.traffic[?(@.percent>0)].revisionName}'` shows before
 * the deploy. Model releases do not need this: they use the traffic policy (PUT /model/traffic).
 */
import { parseArgs } from 'node:util';
import { runCli, UsageError } from './cli/args.ts';

const USAGE =
  'usage: npm run k8s:traffic -- --current REVISION (--canary PERCENT | --promote | --rollback) [--service credit-score-api] [--namespace credit-score] [--format patch|kubectl]';
const REVISION = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export interface TrafficTarget {
  revisionName?: string;
  latestRevision?: boolean;
  percent: number;
  tag: string;
}

/** The traffic block: `candidatePercent` to the latest revision, the rest to `current`. */
export function trafficBlock(current: string, candidatePercent: number): TrafficTarget[] {
  if (!REVISION.test(current)) throw new UsageError(`--current ${current}: not a revision name`);
  if (!Number.isInteger(candidatePercent) || candidatePercent < 0 || candidatePercent > 100)
    throw new UsageError(`the candidate's share must be a whole percent from 0 to 100, got ${candidatePercent}`);
  return [
    { revisionName: current, percent: 100 - candidatePercent, tag: 'current' },
    { latestRevision: true, percent: candidatePercent, tag: 'candidate' },
  ];
}

export function kustomizePatch(service: string, traffic: TrafficTarget[]): string {
  const targets = traffic
    .map(
      (t) =>
        `          - ${t.revisionName ? `revisionName: ${t.revisionName}` : 'latestRevision: true'}\n            percent: ${t.percent}\n            tag: ${t.tag}`,
    )
    .join('\n');
  return `patches:\n  - target: { group: serving.knative.dev, kind: Service, name: ${service} }\n    patch: |\n      - op: add\n        path: /spec/traffic\n        value:\n${targets}\n`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await runCli(async () => {
    const { values } = parseArgs({
      options: {
        current: { type: 'string' },
        canary: { type: 'string' },
        promote: { type: 'boolean', default: false },
        rollback: { type: 'boolean', default: false },
        service: { type: 'string', default: 'credit-score-api' },
        namespace: { type: 'string', default: 'credit-score' },
        format: { type: 'string', default: 'patch' },
      },
      strict: true,
    });
    const modes = [values.canary !== undefined, values.promote, values.rollback].filter(Boolean).length;
    if (!values.current || modes !== 1) throw new UsageError(USAGE);
    if (!['patch', 'kubectl'].includes(values.format))
      throw new UsageError(`--format is patch or kubectl, got ${values.format}\n${USAGE}`);
    const percent = values.promote ? 100 : values.rollback ? 0 : Number(values.canary);
    const traffic = trafficBlock(values.current, percent);
    process.stdout.write(
      values.format === 'patch'
        ? kustomizePatch(values.service, traffic)
        : `kubectl -n ${values.namespace} patch ksvc ${values.service} --type merge -p '${JSON.stringify({ spec: { traffic } })}'\n`,
    );
  });
}
