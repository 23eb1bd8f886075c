/**
 * The cluster's bootstrap order, without a cluster: on an empty bucket, start the image's entry
 * the way each rendered manifest starts it (its command, its ConfigMap environment, its probes;
 * only the store's address points at the embedded S3 server, and the alias refresh is shortened
 * for the test), and check that the api is not ready, that the bootstrap Job's command registers
 * a champion, and that the api's readiness then turns true. Then a retrain through the api: it
 * creates a Job from the rendered template through a stand-in Kubernetes API server, whose
 * container command, run with the template's environment as the kubelet would, trains and
 * registers the next version.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ModelRegistry } from '../lib/registry/model-registry.ts';
import type { EmbeddedS3 } from '../lib/storage/embedded-s3.ts';
import { freePort, subsetCsv, tempDir, until } from './helpers.ts';
import { describeWithPrograms, KUBECTL } from './programs.ts';
import { startTestS3, TEST_BUCKET } from './s3.ts';
import { startFakeKubernetesApi, type FakeKubernetesApi } from './fake-kubernetes-api.ts';

interface Container {
  args?: string[];
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { key: string } } }[];
  readinessProbe?: { httpGet?: { path?: string } };
}
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- rendered manifests
type Manifest = any;

describeWithPrograms([KUBECTL], 'the bootstrap order on an empty bucket', () => {
  let s3: EmbeddedS3;
  let registry: ModelRegistry;
  let objects: Manifest[];
  let base: Record<string, string>;
  let secrets: Record<string, string>;
  /** Where the store is: the test's S3 server, whatever keys the manifests give. */
  const STORE_KEYS = ['S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY'];
  const servers: ChildProcess[] = [];
  let kubernetes: FakeKubernetesApi | undefined;

  beforeAll(async () => {
    execFileSync('node_modules/.bin/tsx', ['scripts/build.ts'], { stdio: 'ignore' });
    objects = parseAllDocuments(
      execFileSync('kubectl', ['kustomize', 'k8s-fallback/overlays/minikube'], { encoding: 'utf8' }),
    ).map((d) => d.toJS());
    const started = await startTestS3();
    s3 = started.s3;
    registry = new ModelRegistry(started.store);
    const config = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'credit-score-config')
      .data as Record<string, string>;
    const secret = objects.find((o) => o.kind === 'Secret' && o.metadata.name.startsWith('credit-score-secrets'));
    secrets = Object.fromEntries(
      Object.entries((secret.data ?? {}) as Record<string, string>).map(([k, v]) => [
        k,
        Buffer.from(v, 'base64').toString('utf8'),
      ]),
    );
    base = {
      PATH: process.env.PATH ?? '',
      ...config,
      // Secrets come only as each container's manifest names them (envOf). Only where the store is, the test's small data, and a shorter alias refresh differ from the manifests.
      S3_ENDPOINT: s3.endpoint,
      MODEL_BUCKET: TEST_BUCKET,
      S3_ACCESS_KEY_ID: 'S3RVER',
      S3_SECRET_ACCESS_KEY: 'S3RVER',
      ALIAS_REFRESH_SECONDS: '0.5',
      DEFAULT_TRAINING_DATA: subsetCsv(
        'data/credit_score_customers_raw.csv',
        600,
        join(tempDir('bootstrap'), 'first.csv'),
      ),
      LOG_LEVEL: 'warn',
    };
  }, 180_000);

  afterAll(async () => {
    for (const server of servers) server.kill('SIGTERM');
    await kubernetes?.close();
    await s3?.close();
  });

  const service = (name: string): { container: Container } => {
    const ksvc = objects.find((o) => o.kind === 'Service' && o.metadata.name === name);
    return { container: ksvc.spec.template.spec.containers[0] };
  };
  /** A container's own env: its values, and the Secret's keys it names (but not the store's, which point at the test's S3 server). */
  const envOf = (container: Container): Record<string, string> =>
    Object.fromEntries(
      (container.env ?? []).flatMap((e): [string, string][] => {
        if (e.value !== undefined) return [[e.name, e.value]];
        const key = e.valueFrom?.secretKeyRef?.key;
        return key && !STORE_KEYS.includes(e.name) ? [[e.name, secrets[key]!]] : [];
      }),
    );

  /** The image's CMD (dist/server/serve.mjs) with the manifest's environment, on a free port. */
  async function startService(
    name: string,
    extra: Record<string, string> = {},
  ): Promise<{ url: string; readiness: string }> {
    const { container } = service(name);
    const port = await freePort();
    const server = spawn(process.execPath, container.args ?? ['dist/server/serve.mjs'], {
      env: { ...base, ...envOf(container), ...extra, PORT: String(port), HOST: '127.0.0.1' },
      stdio: 'ignore',
    });
    servers.push(server);
    const url = `http://127.0.0.1:${port}`;
    await until(
      `${name} to listen`,
      async () => ((await fetch(`${url}/health?probe=live`).catch(() => null))?.ok ? true : undefined),
      30_000,
    );
    return { url, readiness: container.readinessProbe!.httpGet!.path! };
  }

  it('the api waits for a model, the bootstrap Job makes the first one, and a retrain runs as a Job made from the template', async () => {
    expect(await registry.listVersions('credit-score')).toEqual([]);
    const namespace = objects.find((o) => o.kind === 'Namespace').metadata.name as string;
    const template = objects.find((o) => o.kind === 'CronJob' && o.metadata.name === base.RETRAIN_JOB_TEMPLATE);
    const jobRuns: Promise<number>[] = [];
    kubernetes = await startFakeKubernetesApi({
      namespace,
      cronJobs: [template],
      // What the kubelet would do with the Job: run its container's command with its environment.
      onJob: (job) => {
        const c: Container = job.spec.template.spec.containers[0];
        jobRuns.push(
          new Promise((resolve) =>
            execFile(process.execPath, c.args!, { env: { ...base, ...envOf(c) }, timeout: 240_000 }, (err) =>
              resolve(err ? Number(err.code ?? 1) : 0),
            ),
          ),
        );
      },
    });
    const api = await startService('credit-score-api', {
      KUBERNETES_API_URL: kubernetes.url,
      KUBERNETES_SERVICE_ACCOUNT_DIR: kubernetes.accountDir,
    });
    expect((await fetch(api.url + api.readiness)).status).toBe(503);

    // Its name ends with the image tag (a Job's template is immutable: each release is a new Job); found by its label.
    const job = objects.find(
      (o) => o.kind === 'Job' && o.metadata.labels?.['app.kubernetes.io/name'] === 'credit-score-bootstrap',
    );
    expect(job.metadata.name).toBe('credit-score-bootstrap-dev');
    const container: Container = job.spec.template.spec.containers[0];
    const run = (): Promise<{ code: number; stdout: string; stderr: string }> =>
      new Promise((resolve) =>
        execFile(
          process.execPath,
          container.args!,
          { env: { ...base, ...envOf(container) }, timeout: 240_000 },
          (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
        ),
      );
    const first = await run();
    expect(first.stderr).not.toMatch(/bootstrap failed/);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout).bootstrap).toMatchObject({ action: 'trained' });
    const champion = (await registry.getAlias('credit-score', 'champion'))!.version;
    expect(await registry.listVersions('credit-score')).toEqual([champion]);
    await until(
      'the api to become ready',
      async () => ((await fetch(api.url + api.readiness)).status === 200 ? true : undefined),
      30_000,
    );

    // Run again (the next apply): nothing to do, nothing trained.
    const again = await run();
    expect(JSON.parse(again.stdout).bootstrap).toEqual({ action: 'present', version: champion });
    expect(await registry.listVersions('credit-score')).toEqual([champion]);

    // A retrain through the api: a Job from the template, run to the end, registering a version.
    const headers = { 'content-type': 'application/json', 'x-api-key': secrets.ADMIN_API_KEYS!.split(',')[0]! };
    const start = await fetch(`${api.url}/model/retrain`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ cv: 2, classifiers: ['xgb'], samplers: ['none'] }),
    });
    const started = (await start.json()) as { jobId: string };
    expect(start.status, JSON.stringify(started)).toBe(202);
    expect([...kubernetes.jobs.values()].map((j) => j.spec.template.spec.containers[0].args)).toEqual([
      ['dist/server/retrain-job.mjs', '--job', started.jobId],
    ]);
    expect(kubernetes.calls.every((c) => c.path.startsWith(`/apis/batch/v1/namespaces/${namespace}/`))).toBe(true);
    expect(await Promise.all(jobRuns)).toEqual([0]);
    const retrained = (await (await fetch(`${api.url}/model/retrain/${started.jobId}`, { headers })).json()) as {
      status: string;
      result?: { version: string };
    };
    expect(retrained.status).toBe('succeeded');
    expect((await registry.listVersions('credit-score')).sort()).toEqual([champion, retrained.result!.version].sort());
  }, 400_000);
});
