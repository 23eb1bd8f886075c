/**
 * The Kubernetes Job runner against a stand-in API server: the Job it creates from the template,
 * and each way the start can fail (RBAC, no template, a name taken, no API server, no answer, a
 * certificate the cluster CA did not sign) ending in an error that says which, never a hang.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { ClusterApi, inClusterApiUrl } from '../lib/kubernetes/cluster-api.ts';
import { jobName, KubernetesJobRunner, RETRAIN_JOB_LABEL } from '../lib/retrain/kubernetes-job-runner.ts';
import { startFakeKubernetesApi, type FakeKubernetesApi, type FakeOptions } from './fake-kubernetes-api.ts';
import { freePort, tempDir } from './helpers.ts';
import { describeWithPrograms, OPENSSL } from './programs.ts';

const template = parseAllDocuments(readFileSync('k8s-fallback/base/retrain-job-template.yaml', 'utf8'))[0]!.toJS();
const JOB_ID = '20261127T210000000Z-a1b2c3';
const JOB_NAME = 'credit-score-retrain-20261127t210000000z-a1b2c3';
const fakes: FakeKubernetesApi[] = [];
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((f) => f.close()));
});

async function fake(options: Partial<FakeOptions> = {}): Promise<FakeKubernetesApi> {
  const api = await startFakeKubernetesApi({ namespace: 'credit-score', cronJobs: [template], ...options });
  fakes.push(api);
  return api;
}
const runner = (api: FakeKubernetesApi, timeoutMs?: number): KubernetesJobRunner =>
  new KubernetesJobRunner(
    new ClusterApi({ apiUrl: api.url, serviceAccountDir: api.accountDir, timeoutMs }),
    'credit-score-retrain',
  );

describe('the Kubernetes Job runner', () => {
  it("creates the template's Job with the job id in its name, labels and command, with the pod's token, and is done at the 201", async () => {
    const api = await fake();
    await runner(api).start(JOB_ID);
    const job = api.jobs.get(jobName('credit-score-retrain', JOB_ID))!;
    expect(job.metadata.name).toBe(JOB_NAME);
    expect(job.metadata.labels[RETRAIN_JOB_LABEL]).toBe(JOB_ID);
    expect(job.spec.template.metadata.labels).toMatchObject({
      'app.kubernetes.io/name': 'credit-score-retrain',
      [RETRAIN_JOB_LABEL]: JOB_ID,
    });
    const container = job.spec.template.spec.containers[0];
    expect(container.args).toEqual(['dist/server/retrain-job.mjs', '--job', JOB_ID]);
    expect(container.image).toBe(template.spec.jobTemplate.spec.template.spec.containers[0].image);
    expect(job.spec.backoffLimit).toBe(0);
    // The template itself is not changed by making a Job from it.
    expect(template.spec.jobTemplate.spec.template.spec.containers[0].args).toEqual(['dist/server/retrain-job.mjs']);
    expect(api.calls.map((c) => `${c.method} ${c.path}`)).toEqual([
      'GET /apis/batch/v1/namespaces/credit-score/cronjobs/credit-score-retrain',
      'POST /apis/batch/v1/namespaces/credit-score/jobs',
    ]);
    expect(new Set(api.calls.map((c) => c.token))).toEqual(new Set(['token-1']));
  });

  it('keeps the job id whole in the name when the template name is long, within 63 characters', () => {
    const name = jobName('a-very-long-retrain-job-template-name-for-this-cluster', JOB_ID);
    expect(name.length).toBeLessThanOrEqual(63);
    expect(name.endsWith('-20261127t210000000z-a1b2c3')).toBe(true);
    expect(name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
  });

  it('reads the token on every call, so a rotated token is used', async () => {
    const api = await fake();
    await runner(api).start('job-1');
    api.setToken('token-2');
    await runner(api).start('job-2');
    expect(api.calls.map((c) => c.token)).toEqual(['token-1', 'token-1', 'token-2', 'token-2']);
  });

  it("a Job name already taken is refused, not adopted: it is another job's", async () => {
    const api = await fake();
    await runner(api).start(JOB_ID);
    await expect(runner(api).start(JOB_ID)).rejects.toThrow(
      `a Job named credit-score/${JOB_NAME} already exists and is not this job's`,
    );
    expect(api.jobs.size).toBe(1);
  });

  it("RBAC refusing the create rejects with the API server's own message", async () => {
    const api = await fake({ forbid: ['create'] });
    await expect(runner(api).start(JOB_ID)).rejects.toThrow(
      /POST \/apis\/batch\/v1\/namespaces\/credit-score\/jobs answered 403: jobs.batch is forbidden: User "system:serviceaccount:credit-score:credit-score-launcher" cannot create resource "jobs"/,
    );
  });

  it('a missing template is named', async () => {
    const api = await fake({ cronJobs: [] });
    await expect(runner(api).start(JOB_ID)).rejects.toThrow(
      'the retrain Job template (CronJob credit-score/credit-score-retrain) does not exist',
    );
  });

  it('an API server that cannot be reached fails the start at once, one that never answers within the deadline', async () => {
    const api = await fake();
    const closed = new KubernetesJobRunner(
      new ClusterApi({ apiUrl: `http://127.0.0.1:${await freePort()}`, serviceAccountDir: api.accountDir }),
      'credit-score-retrain',
    );
    await expect(closed.start(JOB_ID)).rejects.toThrow(/the Kubernetes API cannot be reached: ECONNREFUSED/);
    const silent = await fake({ hang: true });
    const started = Date.now();
    await expect(runner(silent, 500).start(JOB_ID)).rejects.toThrow(
      'GET /apis/batch/v1/namespaces/credit-score/cronjobs/credit-score-retrain: no answer from the Kubernetes API within 500 ms',
    );
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('outside a pod (no API server, no token) the start says so instead of crashing the service', async () => {
    const outside = new KubernetesJobRunner(
      ClusterApi.inCluster(undefined, tempDir('no-service-account'), {}),
      'credit-score-retrain',
    );
    await expect(outside.start(JOB_ID)).rejects.toThrow(
      /cannot read the service account's namespace .*automountServiceAccountToken/,
    );
    await expect(new ClusterApi({ apiUrl: undefined, serviceAccountDir: '/nonexistent' }).get('/x')).rejects.toThrow(
      /KUBERNETES_SERVICE_HOST is not set/,
    );
  });

  it("finds the pod's API server from its environment, an IPv6 address in brackets", () => {
    expect(inClusterApiUrl({ KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' })).toBe(
      'https://10.96.0.1:443',
    );
    expect(
      inClusterApiUrl({
        KUBERNETES_SERVICE_HOST: 'fd00::1',
        KUBERNETES_SERVICE_PORT_HTTPS: '6443',
        KUBERNETES_SERVICE_PORT: '443',
      }),
    ).toBe('https://[fd00::1]:6443');
    expect(inClusterApiUrl({})).toBeUndefined();
  });
});

describeWithPrograms([OPENSSL], 'the Kubernetes API over TLS', () => {
  /** A self-signed certificate for 127.0.0.1, as a cluster CA signs the API server's. */
  function certificate(name: string): { key: string; cert: string } {
    const dir = tempDir(`tls-${name}`);
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-days',
        '1',
        '-subj',
        `/CN=${name}`,
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
  }

  it('trusts the server the mounted ca.crt vouches for, and refuses one it does not', async () => {
    const server = certificate('api-server');
    const api = await fake({ tls: server });
    writeFileSync(join(api.accountDir, 'ca.crt'), server.cert);
    await runner(api).start(JOB_ID);
    expect(api.jobs.has(JOB_NAME)).toBe(true);
    writeFileSync(join(api.accountDir, 'ca.crt'), certificate('someone-else').cert);
    await expect(runner(api).start('another-job')).rejects.toThrow(
      /the Kubernetes API cannot be reached: (DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|ERR_TLS_CERT_ALTNAME_INVALID)/,
    );
  });
});
