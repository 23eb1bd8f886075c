/**
 * The namespace enforces the "restricted" Pod Security Standard, so the API server refuses any
 * pod that misses one of its requirements, and a Job or CronJob then never runs, with the reason
 * only in the controller's events. The schemas cannot see this; the rule checks what restricted
 * requires of every container (pod-level settings count where the standard allows them):
 * runAsNonRoot, no privilege escalation, all capabilities dropped, a RuntimeDefault or Localhost
 * seccomp profile.
 */
import type { K8sObject } from './deploy-rules.ts';
import { podSpecs, type PodContainer, type PodSpec } from './pod-specs.ts';

const ENFORCE = 'pod-security.kubernetes.io/enforce';

export function podSecurityProblems(objects: K8sObject[]): string[] {
  const restricted = objects.some((o) => o.kind === 'Namespace' && (o.metadata as { labels?: Record<string, string> } | undefined)?.labels?.[ENFORCE] === 'restricted');
  if (!restricted) return [];
  const problems: string[] = [];
  for (const o of objects) {
    for (const pod of podSpecs(o)) {
      for (const c of [...(pod.initContainers ?? []), ...(pod.containers ?? [])]) {
        const missing = restrictedGaps(pod, c);
        if (missing.length) problems.push(`${o.kind}/${o.metadata?.name ?? '?'}: container ${c.name ?? '?'} breaks the namespace's restricted Pod Security (the pod would be refused): ${missing.join(', ')}`);
      }
    }
  }
  return problems;
}

function restrictedGaps(pod: PodSpec, c: PodContainer): string[] {
  const own = c.securityContext ?? {};
  const podLevel = pod.securityContext ?? {};
  const gaps: string[] = [];
  if ((own.runAsNonRoot ?? podLevel.runAsNonRoot) !== true) gaps.push('runAsNonRoot: true');
  if (own.allowPrivilegeEscalation !== false) gaps.push('allowPrivilegeEscalation: false');
  if (!own.capabilities?.drop?.includes('ALL')) gaps.push('capabilities.drop: [ALL]');
  const seccomp = own.seccompProfile?.type ?? podLevel.seccompProfile?.type;
  if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') gaps.push('seccompProfile.type: RuntimeDefault');
  return gaps;
}
