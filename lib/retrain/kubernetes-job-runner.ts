/**
 * Runs a retrain job as a Kubernetes Job, the way Knative's guidance says batch work should run
 * (not as an HTTP request held open against a service's timeout). The Job is made from a
 * template the manifests keep as a suspended CronJob (k8s-fallback/base/retrain-job-template.yaml),
 * exactly as `kubectl create job --from=cronjob/NAME` does: the image, resources, security
 * context and environment stay in the manifests, where kustomize sets the image, and this code
 * adds only the job's id to the command. Needs RBAC: get on that CronJob, create (and delete) on
 * Jobs, in its own namespace (k8s-fallback/base/rbac.yaml).
 */
import { ClusterApi, KubernetesApiError } from '../kubernetes/cluster-api.ts';
import type { JobRunner } from './runners.ts';

/** What we read of the template: the Job spec inside a CronJob. */
interface CronJob {
  spec?: { jobTemplate?: { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: JobSpec } };
}
interface JobSpec {
  template?: { metadata?: { labels?: Record<string, string> }; spec?: { containers?: { name: string; args?: string[] }[] } };
  [field: string]: unknown;
}

/** The label that ties a Kubernetes Job to the retrain job it runs. */
export const RETRAIN_JOB_LABEL = 'mlops-credit-score/retrain-job';

export class KubernetesJobRunner implements JobRunner {
  constructor(
    private readonly api: ClusterApi,
    private readonly templateName: string,
    /** Scheduling plus an image pull can take a while on a cold node. */
    private readonly startTimeoutMs = 180_000,
  ) {}

  async start(jobId: string, running: () => Promise<boolean>): Promise<void> {
    const namespace = await this.api.namespace();
    const base = `/apis/batch/v1/namespaces/${encodeURIComponent(namespace)}`;
    const template = await this.api.get<CronJob>(`${base}/cronjobs/${encodeURIComponent(this.templateName)}`).catch((err: unknown) => {
      throw err instanceof KubernetesApiError && err.status === 404 ? new KubernetesApiError(`the retrain Job template (CronJob ${namespace}/${this.templateName}) does not exist`, 404) : err;
    });
    const job = jobFromTemplate(template, this.templateName, jobId);
    try {
      await this.api.post(`${base}/jobs`, job);
    } catch (err) {
      // A second start of the same job id (a retried request) finds the first's Job: that is the job.
      if (!(err instanceof KubernetesApiError && err.status === 409)) throw err;
    }
    const deadline = Date.now() + this.startTimeoutMs;
    while (Date.now() < deadline) {
      if (await running().catch(() => false)) return;
      await new Promise((r) => setTimeout(r, 500));
    }
    // The caller fails the job; a pod that starts later finds it failed and does nothing, but
    // there is no reason to leave it pending (background: its pods go with it).
    await this.api.delete(`${base}/jobs/${job.metadata.name}`, { propagationPolicy: 'Background' }).catch(() => undefined);
    throw new Error(`the Kubernetes Job ${namespace}/${job.metadata.name} did not start the job within ${Math.round(this.startTimeoutMs / 1000)} s (pending pod? see kubectl describe job)`);
  }
}

/** A Job named after the retrain job, from the template's jobTemplate, its command given `--job ID`. */
export function jobFromTemplate(template: CronJob, templateName: string, jobId: string) {
  const jobTemplate = template.spec?.jobTemplate;
  const spec = structuredClone(jobTemplate?.spec);
  const containers = spec?.template?.spec?.containers;
  if (!spec || !containers?.length) throw new KubernetesApiError(`the retrain Job template (CronJob ${templateName}) has no jobTemplate with a container`, 422);
  containers[0]!.args = [...(containers[0]!.args ?? []), '--job', jobId];
  const labels = { ...jobTemplate?.metadata?.labels, [RETRAIN_JOB_LABEL]: jobId };
  spec.template!.metadata = { ...spec.template!.metadata, labels: { ...spec.template!.metadata?.labels, [RETRAIN_JOB_LABEL]: jobId } };
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: jobName(templateName, jobId), labels, annotations: { ...jobTemplate?.metadata?.annotations, 'mlops-credit-score/created-from': `cronjob/${templateName}` } },
    spec,
  };
}

/** A DNS-1123 name of at most 63 characters that is the same for the same job id. */
export function jobName(templateName: string, jobId: string): string {
  const id = jobId.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '');
  return `${templateName}-${id}`.slice(0, 63).replace(/-+$/, '');
}
