/**
 * The namespace enforces the "restricted" Pod Security Standard, so the API server refuses any
 * pod that misses one of its requirements, and a Job or CronJob then never runs, with the reason
 * only in the controller's events. The schemas cannot see this; the rule checks what restricted
 * requires, as kubernetes' pod-security-admission (staging/src/k8s.io/pod-security-admission/policy,
 * release-1.31: check_*.go) checks it, pod-level settings counting where it lets them:
 * runAsNonRoot true and runAsUser not 0 (check_runAsNonRoot.go, check_runAsUser.go), no privilege
 * escalation (check_allowPrivilegeEscalation.go), all capabilities dropped and none added but
 * NET_BIND_SERVICE (check_capabilities_restricted.go), a RuntimeDefault or Localhost seccomp
 * profile (check_seccompProfile_restricted.go), only the restricted volume types
 * (check_restrictedVolumes.go: configMap, csi, downwardAPI, emptyDir, ephemeral,
 * persistentVolumeClaim, projected, secret), and from the baseline it includes: no host
 * namespaces (check_hostNamespaces.go), no privileged container (check_privileged.go), no host
 * ports (check_hostPorts.go). Knative's queue-proxy sidecar meets all of it (knative-v1.15.2
 * pkg/reconciler/revision/resources/queue.go, queueSecurityContext).
 */
import type { K8sObject } from './deploy-rules.ts';
import { podSpecs, type PodContainer, type PodSpec } from './pod-specs.ts';

const ENFORCE = 'pod-security.kubernetes.io/enforce';

export function podSecurityProblems(objects: K8sObject[]): string[] {
  const restricted = objects.some(
    (o) =>
      o.kind === 'Namespace' &&
      (o.metadata as { labels?: Record<string, string> } | undefined)?.labels?.[ENFORCE] === 'restricted',
  );
  if (!restricted) return [];
  const problems: string[] = [];
  for (const o of objects) {
    for (const pod of podSpecs(o)) {
      const whole = podGaps(pod);
      if (whole.length)
        problems.push(
          `${o.kind}/${o.metadata?.name ?? '?'}: pod breaks the namespace's restricted Pod Security (it would be refused): ${whole.join(', ')}`,
        );
      for (const c of [...(pod.initContainers ?? []), ...(pod.containers ?? [])]) {
        const missing = restrictedGaps(pod, c);
        if (missing.length)
          problems.push(
            `${o.kind}/${o.metadata?.name ?? '?'}: container ${c.name ?? '?'} breaks the namespace's restricted Pod Security (the pod would be refused): ${missing.join(', ')}`,
          );
      }
    }
  }
  return problems;
}

const RESTRICTED_VOLUMES = [
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'persistentVolumeClaim',
  'projected',
  'secret',
];

/** What the pod as a whole breaks (host namespaces, volume types). */
function podGaps(pod: PodSpec): string[] {
  const gaps: string[] = [];
  for (const field of ['hostNetwork', 'hostPID', 'hostIPC'] as const)
    if (pod[field] === true) gaps.push(`${field}: false`);
  for (const v of pod.volumes ?? []) {
    const types = Object.keys(v).filter((k) => k !== 'name');
    const refused = types.filter((t) => !RESTRICTED_VOLUMES.includes(t));
    if (refused.length) gaps.push(`volume ${v.name}: ${refused.join(', ')} is not a restricted volume type`);
  }
  return gaps;
}

function restrictedGaps(pod: PodSpec, c: PodContainer): string[] {
  const own = c.securityContext ?? {};
  const podLevel = pod.securityContext ?? {};
  const gaps: string[] = [];
  if ((own.runAsNonRoot ?? podLevel.runAsNonRoot) !== true) gaps.push('runAsNonRoot: true');
  if ((own.runAsUser ?? podLevel.runAsUser) === 0) gaps.push('runAsUser: not 0');
  if (own.privileged === true) gaps.push('privileged: false');
  if ((own.capabilities?.add ?? []).some((cap) => cap !== 'NET_BIND_SERVICE'))
    gaps.push('capabilities.add: only NET_BIND_SERVICE');
  if ((c.ports ?? []).some((p) => (p.hostPort ?? 0) !== 0)) gaps.push('no hostPort');
  if (own.allowPrivilegeEscalation !== false) gaps.push('allowPrivilegeEscalation: false');
  if (!own.capabilities?.drop?.includes('ALL')) gaps.push('capabilities.drop: [ALL]');
  const seccomp = own.seccompProfile?.type ?? podLevel.seccompProfile?.type;
  if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') gaps.push('seccompProfile.type: RuntimeDefault');
  return gaps;
}
