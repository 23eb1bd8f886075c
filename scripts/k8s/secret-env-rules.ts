/**
 * Secrets reach a container's environment only where the container needs them: `envFrom` with a
 * secretRef hands over every key of the Secret (MinIO's root password and the admin keys
 * included) to every process and child of the pod, so it is refused; each `secretKeyRef` must
 * name a key the container's program uses:
 * - the server (the image's CMD, no args): the admin keys (ADMIN_API_KEYS, lib/config/config.ts)
 *   and the workloads' MinIO user (S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY);
 * - the image's other commands (jobs, schedules, bootstrap): the workloads' MinIO user only;
 * - MinIO itself: its root user (MINIO_ROOT_USER, MINIO_ROOT_PASSWORD);
 * - the bucket setup (the mc image): the root user, and the workloads' user it creates.
 */
import type { K8sObject } from './deploy-rules.ts';
import { podSpecs } from './pod-specs.ts';

const WORKLOAD_USER = ['S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY'];
const ROOT_USER = ['MINIO_ROOT_USER', 'MINIO_ROOT_PASSWORD'];

interface EnvContainer {
  name?: string;
  image?: string;
  args?: string[];
  env?: { name: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
  envFrom?: { secretRef?: { name: string } }[];
}

/** The Secret keys a container's program uses, by what it runs. */
export function secretKeysNeeded(c: EnvContainer): string[] {
  const image = c.image ?? '';
  if (/(^|\/)minio\/minio(:|@|$)/.test(image)) return ROOT_USER;
  if (/(^|\/)minio\/mc(:|@|$)/.test(image)) return [...ROOT_USER, ...WORKLOAD_USER];
  if (!c.args?.length) return ['ADMIN_API_KEYS', ...WORKLOAD_USER];
  return WORKLOAD_USER;
}

export function secretEnvProblems(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  for (const o of objects) {
    const name = `${o.kind}/${o.metadata?.name ?? '?'}`;
    for (const pod of podSpecs(o)) {
      for (const c of [...(pod.initContainers ?? []), ...(pod.containers ?? [])] as EnvContainer[]) {
        for (const from of c.envFrom ?? []) {
          if (from.secretRef)
            problems.push(
              `${name}: container ${c.name ?? '?'} takes the whole Secret ${from.secretRef.name} into its environment (envFrom): name the keys it needs with secretKeyRef`,
            );
        }
        const needed = secretKeysNeeded(c);
        for (const e of c.env ?? []) {
          const ref = e.valueFrom?.secretKeyRef;
          if (ref && !needed.includes(ref.key))
            problems.push(
              `${name}: container ${c.name ?? '?'} gets ${ref.key} from Secret ${ref.name} but does not need it (it needs ${needed.join(', ')})`,
            );
        }
      }
    }
  }
  return problems;
}
