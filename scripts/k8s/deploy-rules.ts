/**
 * Rules the schemas cannot see, each a way the cluster path failed on paper (issue: "the cluster
 * path works on the first try, and again on the second"):
 * - a pinned revision name (spec.template.metadata.name): Knative refuses the next deploy that
 *   changes the template (a new image) under the same name;
 * - a revision timeout above the cluster's maximum (config-defaults' max-revision-timeout-seconds
 *   when the render sets it, Knative's default 600 otherwise): the revision is refused;
 * - a service marked `mlops-credit-score/ready-without-model: "true"` (one that must come up on
 *   an empty registry, as the retrain service once did, since it trained the first model) whose
 *   readiness probe is the model-checking /health: it would never become ready;
 * - a CronJob that shells out to curl: schedules run the image's own command (or a PingSource);
 * - a Service whose traffic block only restates Knative's default (all to the latest revision,
 *   pkg/apis/serving/v1/route_defaults.go): every apply would reset a split made with
 *   `npm run k8s:traffic`; leaving the field out gives the same default and keeps a split;
 * - a CronJob without startingDeadlineSeconds (a missed run may then start at any later time) or
 *   whose concurrencyPolicy is not Forbid (batch/v1 defaults it to Allow: a slow run is doubled).
 */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata?: { name?: string; annotations?: Record<string, string> };
  data?: Record<string, string>;
  spec?: Record<string, unknown>;
}

/** Knative Serving's default max-revision-timeout-seconds. */
export const KNATIVE_MAX_REVISION_TIMEOUT = 600;
export const READY_WITHOUT_MODEL = 'mlops-credit-score/ready-without-model';

interface Container {
  command?: string[];
  args?: string[];
  image?: string;
  readinessProbe?: { httpGet?: { path?: string } };
}

export function deployProblems(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  const defaults = objects.find((o) => o.kind === 'ConfigMap' && o.metadata?.name === 'config-defaults');
  const maxTimeout = Number(defaults?.data?.['max-revision-timeout-seconds'] ?? KNATIVE_MAX_REVISION_TIMEOUT);
  for (const o of objects) {
    const name = `${o.kind}/${o.metadata?.name ?? '?'}`;
    if (o.kind === 'Service' && o.apiVersion.startsWith('serving.knative.dev/')) {
      const template = (o.spec?.template ?? {}) as {
        metadata?: { name?: string };
        spec?: { timeoutSeconds?: number; containers?: Container[] };
      };
      if (template.metadata?.name)
        problems.push(
          `${name}: pinned revision name ${template.metadata.name}: the next deploy with a new image is refused; leave it out (or derive it from the image digest)`,
        );
      const traffic = (o.spec?.traffic ?? []) as {
        latestRevision?: boolean;
        revisionName?: string;
        percent?: number;
        tag?: string;
      }[];
      if (
        traffic.length === 1 &&
        traffic[0]!.latestRevision === true &&
        !traffic[0]!.tag &&
        (traffic[0]!.percent ?? 100) === 100
      )
        problems.push(
          `${name}: a traffic block that only restates Knative's default (100 % to the latest revision): each apply resets a split made with k8s:traffic; leave spec.traffic out`,
        );
      const timeout = template.spec?.timeoutSeconds;
      if (timeout !== undefined && timeout > maxTimeout)
        problems.push(
          `${name}: timeoutSeconds ${timeout} is above the cluster's max-revision-timeout-seconds (${maxTimeout}): the revision is refused`,
        );
      if (o.metadata?.annotations?.[READY_WITHOUT_MODEL] === 'true') {
        for (const c of template.spec?.containers ?? []) {
          const path = c.readinessProbe?.httpGet?.path;
          if (path !== undefined && !path.includes('probe=live'))
            problems.push(
              `${name}: readiness probe ${path} needs a loaded model, but this service must come up on an empty registry (use /health?probe=live)`,
            );
        }
      }
    }
    if (o.kind === 'CronJob') {
      const cron = o.spec as { startingDeadlineSeconds?: number; concurrencyPolicy?: string };
      if (cron.startingDeadlineSeconds === undefined)
        problems.push(
          `${name}: no startingDeadlineSeconds: a run missed while the controller was busy or down may start at any later time`,
        );
      if (cron.concurrencyPolicy !== 'Forbid')
        problems.push(
          `${name}: concurrencyPolicy ${cron.concurrencyPolicy ?? 'Allow (the default)'}: a run that outlasts its interval is doubled; use Forbid`,
        );
      const containers = ((o.spec?.jobTemplate as { spec?: { template?: { spec?: { containers?: Container[] } } } })
        ?.spec?.template?.spec?.containers ?? []) as Container[];
      for (const c of containers) {
        const line = [...(c.command ?? []), ...(c.args ?? [])].join(' ');
        if (/\bcurl\b/.test(line) || /curl/.test(c.image ?? ''))
          problems.push(
            `${name}: shells out to curl: run the image's own command (dist/server/run-schedule.mjs) or a PingSource`,
          );
      }
    }
  }
  return problems;
}
