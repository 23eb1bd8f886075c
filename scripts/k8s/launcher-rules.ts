/**
 * The retrain path in a cluster creates Jobs through the Kubernetes API (RETRAIN_RUNNER=kubernetes),
 * which works only if the manifests agree with each other, something no schema sees: every pod
 * that may start training runs as a service account whose token is mounted (automounted, or, in a
 * Knative Service, which takes automountServiceAccountToken only as false, a projected volume
 * holding the token, ca.crt and namespace where lib/kubernetes/cluster-api.ts reads them) and which a
 * RoleBinding gives `get` on the template CronJob and `create` on Jobs; the template exists and
 * is suspended (a template that ran on its schedule would train with no job to run).
 */
import { DEFAULT_RETRAIN_JOB_TEMPLATE } from '../../lib/config/config.ts';
import type { K8sObject } from './deploy-rules.ts';
import { podSpecs } from './pod-specs.ts';

interface Rule {
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  verbs?: string[];
}

/**
 * The image's commands that can start a retrain: the server (no args: the image's CMD; any
 * route), the drift schedule (DRIFT_POLICY=retrain). The retrain Job runs one job in-process and
 * the bootstrap Job trains in its own pod (it sets RETRAIN_RUNNER=child-process).
 */
function mayStartRetrain(args: string[] | undefined): boolean {
  if (!args?.length) return true;
  return args[0]!.endsWith('run-schedule.mjs') && args[1] === 'drift';
}

/** Where the automount puts the account, and where lib/config/config.ts looks by default. */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- manifests

/** Whether a projected volume mounted at `dir` holds the token, ca.crt and namespace files. */
function projectsToken(pod: Any, container: Any, dir: string): boolean {
  const mount = ((container.volumeMounts ?? []) as Any[]).find((m) => String(m.mountPath).replace(/\/+$/, '') === dir);
  const sources = (((pod.volumes ?? []) as Any[]).find((v) => v.name === mount?.name)?.projected?.sources ??
    []) as Any[];
  const files = sources.flatMap((s) => [
    s.serviceAccountToken?.path,
    ...((s.configMap?.items ?? []) as Any[]).map((i) => i.path),
    ...((s.downwardAPI?.items ?? []) as Any[]).map((i) => i.path),
  ]);
  return ['token', 'ca.crt', 'namespace'].every((f) => files.includes(f));
}

function grants(rules: Rule[], resource: string, verb: string, name?: string): boolean {
  return rules.some(
    (r) =>
      (r.apiGroups ?? []).some((g) => g === 'batch' || g === '*') &&
      (r.resources ?? []).some((x) => x === resource || x === '*') &&
      (r.verbs ?? []).some((v) => v === verb || v === '*') &&
      (!r.resourceNames?.length || (name !== undefined && r.resourceNames.includes(name))),
  );
}

export function launcherProblems(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  const configMaps = new Map(
    objects.filter((o) => o.kind === 'ConfigMap').map((o) => [o.metadata?.name ?? '', o.data ?? {}]),
  );
  const accounts = new Map(
    objects
      .filter((o) => o.kind === 'ServiceAccount')
      .map((o) => [o.metadata?.name ?? '', o as K8sObject & { automountServiceAccountToken?: boolean }]),
  );
  const roles = new Map(
    objects
      .filter((o) => o.kind === 'Role')
      .map((o) => [o.metadata?.name ?? '', (o as { rules?: Rule[] }).rules ?? []]),
  );
  const bindings = objects.filter((o) => o.kind === 'RoleBinding') as (K8sObject & {
    roleRef?: { kind: string; name: string };
    subjects?: { kind: string; name: string }[];
  })[];
  const rulesOf = (account: string): Rule[] =>
    bindings
      .filter(
        (b) => b.roleRef?.kind === 'Role' && b.subjects?.some((s) => s.kind === 'ServiceAccount' && s.name === account),
      )
      .flatMap((b) => roles.get(b.roleRef!.name) ?? []);

  for (const o of objects) {
    const name = `${o.kind}/${o.metadata?.name ?? '?'}`;
    for (const pod of podSpecs(o)) {
      for (const c of pod.containers ?? []) {
        if (!mayStartRetrain(c.args)) continue;
        const env: Record<string, string> = {};
        for (const from of c.envFrom ?? []) Object.assign(env, configMaps.get(from.configMapRef?.name ?? '') ?? {});
        for (const e of c.env ?? []) if (e.value !== undefined) env[e.name] = e.value;
        if (env.RETRAIN_RUNNER !== 'kubernetes') continue;
        const account = pod.serviceAccountName ?? 'default';
        const template = env.RETRAIN_JOB_TEMPLATE ?? DEFAULT_RETRAIN_JOB_TEMPLATE;
        const mounted =
          (pod.automountServiceAccountToken ?? accounts.get(account)?.automountServiceAccountToken ?? true) ||
          projectsToken(pod, c, env.KUBERNETES_SERVICE_ACCOUNT_DIR ?? SERVICE_ACCOUNT_DIR);
        if (!mounted)
          problems.push(
            `${name}: starts retrain Jobs (RETRAIN_RUNNER=kubernetes) but its service account token is not mounted (automountServiceAccountToken: false and no projected token, ca.crt and namespace at ${env.KUBERNETES_SERVICE_ACCOUNT_DIR ?? SERVICE_ACCOUNT_DIR})`,
          );
        const rules = rulesOf(account);
        if (!grants(rules, 'cronjobs', 'get', template))
          problems.push(
            `${name}: service account ${account} may not get cronjob ${template} (the retrain Job template): bind it to a Role that allows it`,
          );
        if (!grants(rules, 'jobs', 'create'))
          problems.push(`${name}: service account ${account} may not create jobs: retrains would be refused (403)`);
        const cron = objects.find((x) => x.kind === 'CronJob' && x.metadata?.name === template);
        if (!cron) problems.push(`${name}: RETRAIN_JOB_TEMPLATE names cronjob ${template}, which is not in the render`);
        else if ((cron.spec as { suspend?: boolean }).suspend !== true)
          problems.push(
            `CronJob/${template}: the retrain Job template must be suspended (suspend: true), or it trains on its schedule`,
          );
      }
    }
  }
  return [...new Set(problems)];
}
