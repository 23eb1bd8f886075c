/** npm run k8s:check: the overlays render and pass the Kubernetes and Knative schemas; a broken one fails. */
import { execFileSync } from 'node:child_process';
import { parseAllDocuments } from 'yaml';
import { expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { checkOverlay } from '../scripts/k8s-check.ts';
import { kustomizePatch, trafficBlock } from '../scripts/k8s-traffic.ts';
import { minioLifecycle, RETENTION_DEFAULTS } from '../lib/state/retention.ts';
import { describeWithPrograms, KUBECTL } from './programs.ts';

const render = (dir: string): { kind: string; metadata: { name: string }; spec?: any }[] => // eslint-disable-line @typescript-eslint/no-explicit-any -- manifests
  parseAllDocuments(execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8' })).map((d) => d.toJS());

describeWithPrograms([KUBECTL], 'kustomize overlays', () => {
  for (const overlay of ['minikube', 'prod']) {
    it(`${overlay}: every object valid, no unknown field`, async () => {
      const result = await checkOverlay(`k8s-fallback/overlays/${overlay}`);
      expect(result.problems).toEqual([]);
      expect(result.objects).toBeGreaterThanOrEqual(15);
    });

    it(`${overlay}: one Knative service probed on /health, its progress deadline covering the bootstrap, traffic summing to 100`, () => {
      const objects = render(`k8s-fallback/overlays/${overlay}`);
      const services = objects.filter((o) => o.kind === 'Service' && o.spec?.template?.spec?.containers);
      expect(services.map((s) => s.metadata.name)).toEqual(['credit-score-api']);
      const s = services[0]!;
      const container = s.spec.template.spec.containers[0];
      expect(container.readinessProbe.httpGet.path).toBe('/health');
      expect(container.livenessProbe.httpGet.path).toBe('/health?probe=live');
      // The first revision waits for the bootstrap Job's model: its progress deadline covers that Job's.
      const bootstrap = objects.find((o) => o.kind === 'Job' && o.metadata.name === 'credit-score-bootstrap')!;
      expect(parseInt(s.spec.template.metadata.annotations['serving.knative.dev/progress-deadline'], 10)).toBeGreaterThanOrEqual(bootstrap.spec.activeDeadlineSeconds);
      expect(container.startupProbe).toBeUndefined();
      expect(s.spec.template.metadata.name).toBeUndefined();
      expect(s.spec.template.spec.timeoutSeconds ?? 300).toBeLessThanOrEqual(600);
      expect(container.securityContext).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
      expect(container.resources.limits.memory).toBeDefined();
      expect(s.spec.traffic.reduce((sum: number, t: { percent: number }) => sum + t.percent, 0)).toBe(100);
      expect(s.spec.template.metadata.annotations['autoscaling.knative.dev/max-scale']).toBeDefined();
      const kinds = objects.map((o) => o.kind);
      for (const kind of ['Namespace', 'ConfigMap', 'ServiceAccount', 'Deployment', 'PersistentVolumeClaim', 'Job', 'CronJob', 'NetworkPolicy']) expect(kinds).toContain(kind);
      expect(kinds.includes('Secret')).toBe(overlay === 'minikube');
      // The schedules run the image's own command, not curl; the retrain template is a suspended CronJob.
      const cronJobs = objects.filter((o) => o.kind === 'CronJob');
      const argsOf = (c: (typeof cronJobs)[number]): string[] => c.spec.jobTemplate.spec.template.spec.containers[0].args;
      expect(cronJobs.filter((c) => !c.spec.suspend).map(argsOf).sort()).toEqual([
        ['dist/server/run-schedule.mjs', 'canary'],
        ['dist/server/run-schedule.mjs', 'drift'],
        ['dist/server/run-schedule.mjs', 'housekeeping'],
      ]);
      expect(cronJobs.filter((c) => c.spec.suspend).map((c) => [c.metadata.name, argsOf(c)])).toEqual([['credit-score-retrain', ['dist/server/retrain-job.mjs']]]);
      for (const c of cronJobs) expect(c.spec.jobTemplate.spec.template.spec.containers[0].image).toBe(container.image);
      // Only the launcher's pods carry a Kubernetes API token.
      const tokenBearers = objects.flatMap((o) => {
        const pod = o.kind === 'CronJob' ? o.spec.jobTemplate.spec.template.spec : o.spec?.template?.spec;
        return pod?.containers && pod.automountServiceAccountToken !== false ? [`${o.kind}/${o.metadata.name}:${pod.serviceAccountName}`] : [];
      });
      expect(tokenBearers.sort()).toEqual(['CronJob/drift-check:credit-score-launcher', 'Service/credit-score-api:credit-score-launcher']);
    });
  }

  it("sets MinIO's bucket lifecycle up (retention) from a generated ConfigMap, and fails a lifecycle MinIO would refuse", async () => {
    for (const overlay of ['minikube', 'prod']) {
      const objects = render(`k8s-fallback/overlays/${overlay}`);
      const lifecycle = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('minio-lifecycle-')) as { metadata: { name: string }; data: Record<string, string> } | undefined;
      expect(JSON.parse(lifecycle!.data['lifecycle.json'])).toEqual(minioLifecycle(RETENTION_DEFAULTS));
      const job = objects.find((o) => o.kind === 'Job' && o.metadata.name === 'minio-bucket-setup')!;
      const pod = job.spec.template.spec;
      // The Job mounts the ConfigMap by its hashed name: new periods make a new Job template (and a Job's template is immutable: the Job is gone 5 minutes after it ends).
      expect(pod.volumes).toContainEqual({ name: 'lifecycle', configMap: { name: lifecycle!.metadata.name } });
      expect(job.spec.ttlSecondsAfterFinished).toBeLessThanOrEqual(300);
      expect(pod.containers[0].args[0]).toMatch(/mc ilm rule import "local\/\$MODEL_BUCKET" < \/etc\/minio-lifecycle\/lifecycle\.json/);
      // MinIO lets the Job in (its NetworkPolicy names the pods that may reach it).
      const minioIngress = objects.find((o) => o.kind === 'NetworkPolicy' && o.spec.podSelector.matchLabels?.['app.kubernetes.io/name'] === 'minio')!;
      expect(JSON.stringify(minioIngress.spec.ingress)).toContain(job.spec.template.metadata.labels['app.kubernetes.io/name']);
    }
    const { problems } = await checkOverlay('test/fixtures/k8s/bad-lifecycle');
    expect(problems).toHaveLength(10);
    expect(problems[0]).toMatch(/ConfigMap\/minio-lifecycle-\w+: lifecycle\.json: Rules\[0\]\.Status: Status should not be empty$/);
    expect(problems.join('\n')).toMatch(/Rules\[1\]\.Expiration\.Days: Days must be positive integer/);
  });

  it('fails a broken manifest, naming the wrong type, the missing field and the misspelt one', async () => {
    const result = await checkOverlay('test/fixtures/k8s/broken');
    expect(result.problems.join('\n')).toMatch(/containerConcurrency must be integer/);
    expect(result.problems.join('\n')).toMatch(/unknown field spec\.template\.spec\.containers\[0\]\.ports\[0\]\.contianerPort/);
    expect(result.problems.join('\n')).toMatch(/Deployment\/no-selector: .*required property selector/);
    const cli = await import('node:child_process').then((cp) => cp.spawnSync('node_modules/.bin/tsx', ['scripts/k8s-check.ts', 'test/fixtures/k8s/broken'], { encoding: 'utf8' }));
    expect(cli.status).toBe(1);
  });

  it('k8s:traffic: a Knative-level canary of the api, as a patch on the prod overlay that renders valid', async () => {
    const dir = 'test-artifacts/k8s-traffic';
    mkdirSync(dir, { recursive: true });
    const patch = kustomizePatch('credit-score-api', trafficBlock('credit-score-api-00003', 10));
    writeFileSync(`${dir}/kustomization.yaml`, `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - ../../k8s-fallback/overlays/prod\n${patch}`);
    const result = await checkOverlay(dir);
    expect(result.problems).toEqual([]);
    const api = render(dir).find((o) => o.kind === 'Service' && o.metadata.name === 'credit-score-api')!;
    expect(api.spec.traffic).toEqual([
      { revisionName: 'credit-score-api-00003', percent: 90, tag: 'current' },
      { latestRevision: true, percent: 10, tag: 'candidate' },
    ]);
    expect(api.spec.template.metadata.name).toBeUndefined();
    expect(() => trafficBlock('credit-score-api-00003', 120)).toThrow(/whole percent from 0 to 100/);
    expect(() => trafficBlock('Not A Revision', 10)).toThrow(/not a revision name/);
  });

  it('fails manifests that disagree about who may start retrain Jobs, one problem per fault', async () => {
    const { problems } = await checkOverlay('test/fixtures/k8s/no-launcher');
    expect(problems).toHaveLength(5);
    const text = problems.join('\n');
    expect(text).toMatch(/Service\/api: starts retrain Jobs \(RETRAIN_RUNNER=kubernetes\) but its service account token is not mounted/);
    expect(text).toMatch(/Service\/api: service account quiet may not get cronjob retrain-template/);
    expect(text).toMatch(/Service\/api: service account quiet may not create jobs/);
    expect(text).toMatch(/CronJob\/drift: service account half may not create jobs/);
    expect(text).toMatch(/CronJob\/retrain-template: the retrain Job template must be suspended/);
  });

  it("fails pods the namespace's restricted Pod Security would refuse, naming what each lacks", async () => {
    const { problems } = await checkOverlay('test/fixtures/k8s/not-restricted');
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/CronJob\/no-seccomp: container run breaks the namespace's restricted Pod Security \(the pod would be refused\): seccompProfile.type: RuntimeDefault$/);
    expect(problems[1]).toMatch(/Job\/escalating: container escalates breaks .*: allowPrivilegeEscalation: false, capabilities.drop: \[ALL\]$/);
  });

  it('fails what the cluster would refuse or stall on, one problem per fault', async () => {
    const { problems } = await checkOverlay('test/fixtures/k8s/undeployable');
    const deploy = problems.filter((p) => !/unknown field|must be|required property/.test(p));
    expect(deploy).toHaveLength(4);
    expect(deploy.join('\n')).toMatch(/Service\/pinned: pinned revision name pinned-v1-0-0/);
    expect(deploy.join('\n')).toMatch(/Service\/slow: timeoutSeconds 1800 is above the cluster's max-revision-timeout-seconds \(600\)/);
    expect(deploy.join('\n')).toMatch(/Service\/trainer: readiness probe \/health needs a loaded model/);
    expect(deploy.join('\n')).toMatch(/CronJob\/curler: shells out to curl/);
  });
});
