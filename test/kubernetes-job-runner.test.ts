/**
 * The Kubernetes Job runner against a stand-in API server: the Job it creates from the template,
 * and each way the start can fail (RBAC, no template, no API server, a pod that never starts)
 * ending in an error that says which, never a hang.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { ClusterApi } from '../lib/kubernetes/cluster-api.ts';
import { jobName, KubernetesJobRunner, RETRAIN_JOB_LABEL } from '../lib/retrain/kubernetes-job-runner.ts';
import { startFakeKubernetesApi, type FakeKubernetesApi } from './fake-kubernetes-api.ts';
import { freePort } from './helpers.ts';

const template = parseAllDocuments(readFileSync('k8s-fallback/base/retrain-job-template.yaml', 'utf8'))[0]!.toJS();
const JOB_ID = '20261127T210000000Z-a1b2c3';
let fake: FakeKubernetesApi | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const runner = (api: FakeKubernetesApi, startTimeoutMs = 5_000, templateName = 'credit-score-retrain'): KubernetesJobRunner =>
  new KubernetesJobRunner(ClusterApi.inCluster(api.url, api.accountDir), templateName, startTimeoutMs);

describe('the Kubernetes Job runner', () => {
  it("creates the template's Job with the job id in its name, labels and command, with the pod's token", async () => {
    let started = false;
    fake = await startFakeKubernetesApi({ namespace: 'credit-score', cronJobs: [template], onJob: () => setTimeout(() => (started = true), 300) });
    await runner(fake).start(JOB_ID, async () => started);
    const job = fake.jobs.get(jobName('credit-score-retrain', JOB_ID))!;
    expect(job.metadata.name).toBe('credit-score-retrain-20261127t210000000z-a1b2c3');
    expect(job.metadata.labels[RETRAIN_JOB_LABEL]).toBe(JOB_ID);
    expect(job.spec.template.metadata.labels).toMatchObject({ 'app.kubernetes.io/name': 'credit-score-retrain', [RETRAIN_JOB_LABEL]: JOB_ID });
    const container = job.spec.template.spec.containers[0];
    expect(container.args).toEqual(['dist/server/retrain-job.mjs', '--job', JOB_ID]);
    expect(container.image).toBe(template.spec.jobTemplate.spec.template.spec.containers[0].image);
    expect(job.spec.backoffLimit).toBe(0);
    // The template itself is not changed by making a Job from it.
    expect(template.spec.jobTemplate.spec.template.spec.containers[0].args).toEqual(['dist/server/retrain-job.mjs']);
    expect(fake.calls.map((c) => `${c.method} ${c.path}`)).toEqual(['GET /apis/batch/v1/namespaces/credit-score/cronjobs/credit-score-retrain', 'POST /apis/batch/v1/namespaces/credit-score/jobs']);
    expect(new Set(fake.calls.map((c) => c.token))).toEqual(new Set(['token-1']));
  });

  it('reads the token on every call, so a rotated token is used', async () => {
    fake = await startFakeKubernetesApi({ namespace: 'ns', cronJobs: [template] });
    const api = fake;
    await runner(api).start('job-1', async () => true);
    api.setToken('token-2');
    await runner(api).start('job-2', async () => true);
    expect(api.calls.map((c) => c.token)).toEqual(['token-1', 'token-1', 'token-2', 'token-2']);
  });

  it('a second start of the same job finds its Job (409) and waits for it instead of failing', async () => {
    fake = await startFakeKubernetesApi({ namespace: 'ns', cronJobs: [template] });
    await runner(fake).start(JOB_ID, async () => true);
    await expect(runner(fake).start(JOB_ID, async () => true)).resolves.toBeUndefined();
    expect(fake.jobs.size).toBe(1);
  });

  it('RBAC refusing the create rejects with the API server\'s own message', async () => {
    fake = await startFakeKubernetesApi({ namespace: 'ns', cronJobs: [template], forbid: ['create'] });
    await expect(runner(fake).start(JOB_ID, async () => false)).rejects.toThrow(
      /POST \/apis\/batch\/v1\/namespaces\/ns\/jobs answered 403: jobs.batch is forbidden: User "system:serviceaccount:ns:credit-score-launcher" cannot create resource "jobs"/,
    );
  });

  it('a missing template is named', async () => {
    fake = await startFakeKubernetesApi({ namespace: 'ns', cronJobs: [] });
    await expect(runner(fake).start(JOB_ID, async () => false)).rejects.toThrow(/the retrain Job template \(CronJob ns\/credit-score-retrain\) does not exist/);
  });

  it('an API server that cannot be reached fails the start at once', async () => {
    fake = await startFakeKubernetesApi({ namespace: 'ns', cronJobs: [template] });
    const closed = `http://127.0.0.1:${await freePort()}`;
    const api = new KubernetesJobRunner(ClusterApi.inCluster(closed, fake.accountDir), 'credit-score-retrain', 5_000);
    await expect(api.start(JOB_ID, async () => false)).rejects.toThrow(/the Kubernetes API cannot be reached: ECONNREFUSED/);
  });

  it('outside a pod (no API server, no token) the start says so instead of crashing the service', async () => {
    const api = new KubernetesJobRunner(ClusterApi.inCluster(undefined, '/nonexistent/serviceaccount'), 'credit-score-retrain', 5_000);
    const saved = process.env.KUBERNETES_SERVICE_HOST;
    delete process.env.KUBERNETES_SERVICE_HOST;
    try {
      await expect(api.start(JOB_ID, async () => false)).rejects.toThrow(/cannot read the service account's namespace .*automountServiceAccountToken/);
      await expect(new ClusterApi({ apiUrl: undefined, serviceAccountDir: '/nonexistent' }).get('/x')).rejects.toThrow(/KUBERNETES_SERVICE_HOST is not set/);
    } finally {
      if (saved !== undefined) process.env.KUBERNETES_SERVICE_HOST = saved;
    }
  });

  it('a Job whose pod never starts the job fails the start within its timeout and is deleted', async () => {
    fake = await startFakeKubernetesApi({ namespace: 'ns', cronJobs: [template] });
    await expect(runner(fake, 800).start(JOB_ID, async () => false)).rejects.toThrow(/the Kubernetes Job ns\/credit-score-retrain-20261127t210000000z-a1b2c3 did not start the job within 1 s/);
    expect(fake.deleted).toEqual(['credit-score-retrain-20261127t210000000z-a1b2c3']);
    expect(fake.jobs.size).toBe(0);
  });
});
