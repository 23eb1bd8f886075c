/**
 * Knative resolves every container image of a revision from a tag to a digest before it creates
 * the revision's Deployment (knative-v1.15.2 pkg/reconciler/revision/resolve.go,
 * digestResolver.Resolve): an image that already names a digest is kept; an image whose registry
 * is in config-deployment's `registries-skipping-tag-resolving` (pkg/deployment/config.go:
 * "kind.local,ko.local,dev.local" by default) is used as it is; any other is looked up in its
 * registry with the credentials of the pod's imagePullSecrets and its service account's (k8schain).
 * A locally built image under any other name (`mlops-credit-score:dev` means
 * index.docker.io/library/mlops-credit-score) is looked up on Docker Hub, fails, and the revision
 * never becomes ready. So each Knative container image must carry a digest, be in the skip list,
 * or come with pull credentials for a private registry.
 */
import type { K8sObject } from './deploy-rules.ts';

export const KNATIVE_DEFAULT_SKIP_REGISTRIES = ['kind.local', 'ko.local', 'dev.local'];

/** The registry go-containerregistry's name.NewTag gives an image reference (Docker Hub when none). */
export function registryOf(image: string): string {
  const first = image.split('/')[0]!;
  const hasRegistry = image.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  return hasRegistry ? first : 'index.docker.io';
}

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- manifests

export function tagResolutionProblems(objects: K8sObject[]): string[] {
  const deployment = objects.find((o) => o.kind === 'ConfigMap' && o.metadata?.name === 'config-deployment');
  const listed = deployment?.data?.['registries-skipping-tag-resolving'];
  const skip =
    listed === undefined
      ? KNATIVE_DEFAULT_SKIP_REGISTRIES
      : listed
          .split(',')
          .map((r) => r.trim())
          .filter(Boolean);
  const accounts = new Map(
    objects.filter((o) => o.kind === 'ServiceAccount').map((o) => [o.metadata?.name ?? '', o as Any]),
  );
  const problems: string[] = [];
  for (const o of objects) {
    if (o.kind !== 'Service' || !o.apiVersion.startsWith('serving.knative.dev/')) continue;
    const pod = ((o.spec?.template as Any | undefined)?.spec ?? {}) as Any;
    const account = accounts.get(pod.serviceAccountName ?? 'default');
    const credentials = (pod.imagePullSecrets?.length ?? 0) + (account?.imagePullSecrets?.length ?? 0) > 0;
    for (const c of (pod.containers ?? []) as Any[]) {
      const image = String(c.image ?? '');
      if (image.includes('@sha256:')) continue;
      const registry = registryOf(image);
      if (skip.includes(registry) || credentials) continue;
      problems.push(
        `Service/${o.metadata?.name ?? '?'}: image ${image} names no digest, its registry ${registry} is not in registries-skipping-tag-resolving (${skip.join(',')}), and the pod has no imagePullSecrets: Knative cannot resolve its tag and the revision never becomes ready`,
      );
    }
  }
  return problems;
}
