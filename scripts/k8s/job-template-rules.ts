/**
 * A Job's spec.template cannot change once the Job exists (kubernetes
 * pkg/apis/batch/validation/validation.go, ValidateJobSpecUpdate, v1.31: the template is an
 * immutable field; only a suspended Job that never started may change its scheduling directives).
 * `kubectl apply` of a Job whose template differs from the one in the cluster is refused
 * ("field is immutable") for as long as the old Job exists (ttlSecondsAfterFinished after it
 * ends, or forever without one). The next deploy differs from this one in the image tag, so
 * npm run k8s:check renders each overlay again with another tag set where the overlays set it
 * (scripts/k8s/second-deploy.ts) and refuses every Job that keeps its name while its template
 * changes: its name must change with what changes its template.
 *
 * A Job's name also becomes the value of the job-name label the Job controller puts on its pods
 * (a label value: at most 63 characters of [A-Za-z0-9._-], starting and ending alphanumeric), and
 * the object name must be a DNS-1123 subdomain (ValidateJob: ValidateReplicationControllerName).
 */
import { isDeepStrictEqual } from 'node:util';
import type { K8sObject } from './deploy-rules.ts';

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export function jobNameProblems(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  for (const o of objects) {
    if (o.kind !== 'Job') continue;
    const name = o.metadata?.name ?? '';
    if (name.length > 63 || !DNS_SUBDOMAIN.test(name))
      problems.push(
        `Job/${name}: the name must be a DNS-1123 subdomain of at most 63 characters (it is the pods' job-name label value)`,
      );
  }
  return problems;
}

/** Jobs of the first render whose name the second keeps while their template changed. */
export function jobTemplateProblems(first: K8sObject[], second: K8sObject[], change: string): string[] {
  const jobs = (objects: K8sObject[]): Map<string, unknown> =>
    new Map(
      objects
        .filter((o) => o.kind === 'Job')
        .map((o) => [o.metadata?.name ?? '', (o.spec as { template?: unknown } | undefined)?.template]),
    );
  const before = jobs(first);
  const problems: string[] = [];
  for (const [name, template] of jobs(second)) {
    if (before.has(name) && !isDeepStrictEqual(before.get(name), template)) {
      problems.push(
        `Job/${name}: ${change} changes its template but not its name: the next apply is refused while this Job exists (a Job's template is immutable); make its name follow the image tag`,
      );
    }
  }
  return problems;
}
