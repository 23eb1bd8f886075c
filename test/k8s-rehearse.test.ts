/**
 * npm run k8s:rehearse's plan (it needs Docker and kind, which CI here does not have, so only the
 * commands it would run are checked): a fresh cluster, Knative before the app, two deploys with
 * two tags each followed by its revision and a smoke, and the cluster deleted last.
 */
import { describe, expect, it } from 'vitest';
import { rehearsalPlan, VERSIONS, type Step } from '../scripts/k8s-rehearse.ts';

const plan = rehearsalPlan({
  cluster: 'rehearsal',
  overlay: 'k8s-fallback/overlays/minikube',
  tags: ['r1', 'r2'],
  workDir: '/tmp/rehearsal',
  port: 18080,
});
const line = (s: Step): string =>
  s.kind === 'render'
    ? `render ${s.overlay} ${s.tag} > ${s.file}`
    : s.kind === 'stop'
      ? `stop ${s.name}`
      : s.argv.join(' ');
const lines = plan.map(line);
const index = (pattern: RegExp): number => lines.findIndex((l) => pattern.test(l));

describe('the k8s:rehearse plan', () => {
  it('starts a pinned kind cluster and ends by deleting it', () => {
    expect(lines[0]).toBe(`kind create cluster --name rehearsal --image ${VERSIONS.kindNode} --wait 300s`);
    expect(lines.at(-1)).toBe('kind delete cluster --name rehearsal');
    // Every kubectl call names the throwaway cluster's context, never the user's current one.
    for (const l of lines.filter((x) => x.startsWith('kubectl')))
      expect(l).toMatch(/^kubectl --context kind-rehearsal /);
  });

  it("installs the pinned Knative Serving and waits for its CRDs and controllers before the app's first apply", () => {
    const crds = index(/serving-crds\.yaml$/);
    const established = index(/wait --for=condition=Established crd --all/);
    const core = index(/serving-core\.yaml$/);
    const available = index(/-n knative-serving wait --for=condition=Available deployment --all/);
    const firstApply = index(/apply -f \/tmp\/rehearsal\/rendered-r1\.yaml$/);
    expect(lines[crds]).toContain(`releases/download/${VERSIONS.knativeServing}/`);
    expect(
      [crds, established, core, available, firstApply].every((v, i, all) => v >= 0 && (i === 0 || v > all[i - 1]!)),
    ).toBe(true);
  });

  it('deploys twice with two tags, each awaited to its own revision and smoked, the bootstrap Job awaited by label once', () => {
    const sequence = [
      /^docker build -t dev\.local\/mlops-credit-score:r1 \.$/,
      /^kind load docker-image dev\.local\/mlops-credit-score:r1 --name rehearsal$/,
      /^render k8s-fallback\/overlays\/minikube r1 > \/tmp\/rehearsal\/rendered-r1\.yaml$/,
      /apply -f \/tmp\/rehearsal\/rendered-r1\.yaml$/,
      /wait --for=condition=complete job -l app\.kubernetes\.io\/name=credit-score-bootstrap/,
      /wait --for=jsonpath=\{\.status\.latestReadyRevisionName\}=credit-score-api-00001 ksvc\/credit-score-api/,
      /port-forward deployment\/credit-score-api-00001-deployment 18080:8012$/,
      /^npm run smoke -- --url http:\/\/127\.0\.0\.1:18080/,
      /^docker tag dev\.local\/mlops-credit-score:r1 dev\.local\/mlops-credit-score:r2$/,
      /^render k8s-fallback\/overlays\/minikube r2 > \/tmp\/rehearsal\/rendered-r2\.yaml$/,
      /apply -f \/tmp\/rehearsal\/rendered-r2\.yaml$/,
      /wait --for=jsonpath=\{\.status\.latestReadyRevisionName\}=credit-score-api-00002 ksvc\/credit-score-api/,
      /port-forward deployment\/credit-score-api-00002-deployment 18080:8012$/,
      /^npm run smoke -- --url http:\/\/127\.0\.0\.1:18080/,
    ];
    let from = 0;
    for (const pattern of sequence) {
      const at = lines.findIndex((l, i) => i >= from && pattern.test(l));
      expect(at, `${pattern} after line ${from}`).toBeGreaterThanOrEqual(from);
      from = at + 1;
    }
    expect(lines.filter((l) => /credit-score-bootstrap/.test(l))).toHaveLength(1);
    // Each port-forward is stopped before the next one takes the port.
    expect(lines.filter((l) => l.startsWith('stop '))).toEqual(['stop port-forward-r1', 'stop port-forward-r2']);
  });
});
