/**
 * NetworkPolicies against what Knative needs to reach a revision's pod. Once any NetworkPolicy
 * with policyType Ingress selects a pod, only what some policy allows gets in (Kubernetes
 * NetworkPolicy semantics). Knative's system components in the knative-serving namespace talk to
 * the queue-proxy sidecar of every revision pod on its own ports (knative-v1.15.2
 * pkg/networking/constants.go): 8012 (requests through the activator, and its probes), 8022 (the
 * queue admin port), 9090 (the autoscaler scrapes request metrics there, without which it cannot
 * scale) and 9091 (the user-facing queue metrics). Each must be open to the knative-serving
 * namespace, or the revision is never probed ready, never scaled, and its metrics are missing.
 * And the namespace must have a default-deny egress policy (every pod selected, Egress), so
 * what a pod may reach is written down.
 */
import type { K8sObject } from './deploy-rules.ts';

export const KNATIVE_SYSTEM_PORTS = [8012, 8022, 9090, 9091];
const KNATIVE_NAMESPACE = 'knative-serving';

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- manifests

const matches = (selector: Any | undefined, labels: Record<string, string>): boolean => {
  if (!selector) return true;
  const exact = Object.entries((selector.matchLabels ?? {}) as Record<string, string>).every(
    ([k, v]) => labels[k] === v,
  );
  const expressions = ((selector.matchExpressions ?? []) as Any[]).every((e) => {
    const value = labels[e.key];
    if (e.operator === 'In') return value !== undefined && e.values.includes(value);
    if (e.operator === 'NotIn') return value === undefined || !e.values.includes(value);
    if (e.operator === 'Exists') return value !== undefined;
    return value === undefined;
  });
  return exact && expressions;
};

/** Whether an ingress rule lets pods of `namespace` in on `port`. */
function admits(rule: Any, namespace: string, port: number): boolean {
  const fromOk =
    !rule.from?.length ||
    (rule.from as Any[]).some(
      (peer) =>
        peer.namespaceSelector &&
        !peer.podSelector &&
        matches(peer.namespaceSelector, { 'kubernetes.io/metadata.name': namespace }),
    );
  const portOk =
    !rule.ports?.length ||
    (rule.ports as Any[]).some(
      (p) =>
        p.port === port ||
        (typeof p.port === 'number' && p.endPort !== undefined && p.port <= port && port <= p.endPort) ||
        p.port === undefined,
    );
  return fromOk && portOk;
}

export function networkPolicyProblems(objects: K8sObject[]): string[] {
  const policies = objects.filter((o) => o.kind === 'NetworkPolicy') as (K8sObject & { spec: Any })[];
  if (!policies.length) return [];
  const problems: string[] = [];
  const types = (p: { spec: Any }): string[] =>
    p.spec.policyTypes ?? (p.spec.egress ? ['Ingress', 'Egress'] : ['Ingress']);
  if (
    !policies.some(
      (p) =>
        Object.keys(p.spec.podSelector ?? {}).length === 0 && types(p).includes('Egress') && !p.spec.egress?.length,
    )
  ) {
    problems.push(
      'NetworkPolicy: no default-deny egress policy (podSelector {}, policyTypes [Egress], no egress rules): every pod may reach anything',
    );
  }
  for (const o of objects) {
    if (o.kind !== 'Service' || !o.apiVersion.startsWith('serving.knative.dev/')) continue;
    const labels = ((o.spec?.template as Any | undefined)?.metadata?.labels ?? {}) as Record<string, string>;
    const selecting = policies.filter((p) => types(p).includes('Ingress') && matches(p.spec.podSelector, labels));
    if (!selecting.length) continue;
    const rules = selecting.flatMap((p) => (p.spec.ingress ?? []) as Any[]);
    const closed = KNATIVE_SYSTEM_PORTS.filter((port) => !rules.some((r) => admits(r, KNATIVE_NAMESPACE, port)));
    if (closed.length)
      problems.push(
        `Service/${o.metadata?.name ?? '?'}: its NetworkPolicies keep the ${KNATIVE_NAMESPACE} namespace out of queue-proxy port(s) ${closed.join(', ')} (Knative's probes, admin and autoscaler metrics scrape)`,
      );
  }
  return problems;
}
