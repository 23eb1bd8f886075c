/**
 * Runs a retrain job as a Kubernetes Job, the way Knative's guidance says batch work should run
 * (not as an HTTP request held open against a service's timeout). The Job is made from a
 * template the manifests keep as a suspended CronJob (k8s-fallback/base/retrain-job-template.yaml),
 * exactly as `kubectl create job --from=cronjob/NAME` does: the image, resources, security
 * context and environment stay in the manifests, where kustomize sets the image, and this code
 * adds only the job's id to the command. Needs RBAC: get on that CronJob and create on Jobs, in
 * its own namespace (k8s-fallback/base/rbac.yaml).
 */
import { ClusterApi, KubernetesApiError } from '../kubernetes/cluster-api.ts';
import type { JobRunner } from './job-runner.ts';

/** What we read of the template: the Job spec inside a CronJob. */
interface CronJob {
  spec?: {
    jobTemplate?: {
      metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
      spec?: JobSpec;
    };
  };
}
interface JobSpec {
  template?: {
    metadata?: { labels?: Record<string, string> };
    spec?: { containers?: { name: string; args?: string[] }[] };
  };
  [field: string]: unknown;
}

/** The label that ties a Kubernetes Job to the retrain job it runs. */
export const RETRAIN_JOB_LABEL = 'mlops-credit-score/retrain-job';

export class KubernetesJobRunner implements JobRunner {
  constructor(
    private readonly api: ClusterApi,
    private readonly templateName: string,
  ) {}

  /**
   * Started once the API server has the Job (its 201), as Lambda's 202 is: the request that
   * asked for the retrain has a handler timeout of seconds, scheduling and an image pull may
   * take minutes. A Job whose pod never claims the job is not waited for here: the job stays
   * queued, and the job store fails it as never started once RETRAIN_LOCK_SECONDS pass; a pod
   * that starts after that finds the job failed and exits without training.
   */
  async start(jobId: string): Promise<void> {
    const namespace = await this.api.namespace();
    const base = `/apis/batch/v1/namespaces/${encodeURIComponent(namespace)}`;
    const template = await this.api
      .get<CronJob>(`${base}/cronjobs/${encodeURIComponent(this.templateName)}`)
      .catch((err: unknown) => {
        throw err instanceof KubernetesApiError && err.status === 404
          ? new KubernetesApiError(
              `the retrain Job template (CronJob ${namespace}/${this.templateName}) does not exist`,
              404,
            )
          : err;
      });
    const job = jobFromTemplate(template, this.templateName, jobId);
    await this.api.post(`${base}/jobs`, job).catch((err: unknown) => {
      // Job ids are unique, so a name already taken is someone else's Job: never adopt it.
      throw err instanceof KubernetesApiError && err.status === 409
        ? new KubernetesApiError(
            `a Job named ${namespace}/${job.metadata.name} already exists and is not this job's`,
            409,
          )
        : err;
    });
  }
}

/** A Job named after the retrain job, from the template's jobTemplate, its command given `--job ID`. */
export function jobFromTemplate(template: CronJob, templateName: string, jobId: string) {
  const jobTemplate = template.spec?.jobTemplate;
  const spec = structuredClone(jobTemplate?.spec);
  const containers = spec?.template?.spec?.containers;
  if (!spec || !containers?.length)
    throw new Error(`the retrain Job template (CronJob ${templateName}) has no jobTemplate with a container`);
  if (!LABEL_VALUE.test(jobId))
    throw new Error(
      `job id ${JSON.stringify(jobId)} cannot be a label value (at most 63 of [A-Za-z0-9._-], alphanumeric at both ends)`,
    );
  containers[0]!.args = [...(containers[0]!.args ?? []), '--job', jobId];
  const labels = { ...jobTemplate?.metadata?.labels, [RETRAIN_JOB_LABEL]: jobId };
  spec.template!.metadata = {
    ...spec.template!.metadata,
    labels: { ...spec.template!.metadata?.labels, [RETRAIN_JOB_LABEL]: jobId },
  };
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: jobName(templateName, jobId),
      labels,
      annotations: {
        ...jobTemplate?.metadata?.annotations,
        'mlops-credit-score/created-from': `cronjob/${templateName}`,
      },
    },
    spec,
  };
}

/** What Kubernetes accepts as a label value. */
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/**
 * A DNS-1123 name of at most 63 characters, the same for the same job id. The id is kept whole
 * (it is what makes the name unique) and the template's name shortened if the two do not fit.
 */
export function jobName(templateName: string, jobId: string): string {
  const id = jobId
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(-50);
  const prefix = templateName.slice(0, 62 - id.length).replace(/-+$/, '');
  return `${prefix}-${id}`;
}
