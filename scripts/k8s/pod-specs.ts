/** The pod specs a rendered object runs, wherever its kind keeps them. */
import type { K8sObject } from './deploy-rules.ts';

export interface SecurityContext {
  runAsNonRoot?: boolean;
  runAsUser?: number;
  privileged?: boolean;
  allowPrivilegeEscalation?: boolean;
  capabilities?: { drop?: string[]; add?: string[] };
  seccompProfile?: { type?: string };
}
export interface PodContainer {
  name?: string;
  args?: string[];
  image?: string;
  ports?: { containerPort?: number; hostPort?: number }[];
  env?: { name: string; value?: string }[];
  envFrom?: { configMapRef?: { name: string } }[];
  securityContext?: SecurityContext;
}
export interface PodSpec {
  serviceAccountName?: string;
  automountServiceAccountToken?: boolean;
  securityContext?: SecurityContext;
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
  volumes?: ({ name: string } & Record<string, unknown>)[];
  containers?: PodContainer[];
  initContainers?: PodContainer[];
}

/** A Knative Service's, a Deployment's or Job's template, a CronJob's jobTemplate's. */
export function podSpecs(o: K8sObject): PodSpec[] {
  const spec = o.spec as Record<string, any> | undefined; // eslint-disable-line @typescript-eslint/no-explicit-any -- manifests
  if (o.kind === 'Service' && o.apiVersion.startsWith('serving.knative.dev/'))
    return [spec?.template?.spec].filter(Boolean);
  if (['Job', 'Deployment', 'StatefulSet', 'DaemonSet'].includes(o.kind)) return [spec?.template?.spec].filter(Boolean);
  if (o.kind === 'CronJob') return [spec?.jobTemplate?.spec?.template?.spec].filter(Boolean);
  if (o.kind === 'Pod') return [spec].filter(Boolean) as PodSpec[];
  return [];
}
