/** npm run k8s:check: the overlays render and pass the Kubernetes and Knative schemas; a broken one fails. */
import { execFileSync } from 'node:child_process';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { checkOverlay } from '../scripts/k8s-check.ts';
import { schemaProblems } from '../scripts/k8s/crd-schema.ts';
import { kustomizePatch, trafficBlock } from '../scripts/k8s-traffic.ts';
import { minioLifecycle, RETENTION_DEFAULTS } from '../lib/state/retention.ts';
import { describeWithPrograms, KUBECTL } from './programs.ts';

const render = (
  dir: string,
): {
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- manifests
  spec?: any;
}[] => parseAllDocuments(execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8' })).map((d) => d.toJS());

describeWithPrograms([KUBECTL], 'kustomize overlays', () => {
  for (const overlay of ['minikube', 'minikube-vault', 'minikube-eso', 'prod']) {
    it(`${overlay}: every object valid, no unknown field, every platform rule kept`, async () => {
      const result = await checkOverlay(`k8s-fallback/overlays/${overlay}`);
      expect(result.problems).toEqual([]);
      expect(result.objects).toBeGreaterThanOrEqual(15);
    });

    it(`${overlay}: one Knative service probed on /health, its progress deadline covering the bootstrap, no traffic block, a rollout duration`, () => {
      const objects = render(`k8s-fallback/overlays/${overlay}`);
      const services = objects.filter((o) => o.kind === 'Service' && o.spec?.template?.spec?.containers);
      expect(services.map((s) => s.metadata.name)).toEqual(['credit-score-api']);
      const s = services[0]!;
      const container = s.spec.template.spec.containers[0];
      expect(container.readinessProbe.httpGet.path).toBe('/health');
      expect(container.livenessProbe.httpGet.path).toBe('/health?probe=live');
      // The first revision waits for the bootstrap Job's model: its progress deadline covers that Job's.
      const bootstrap = objects.find(
        (o) => o.kind === 'Job' && o.metadata.labels?.['app.kubernetes.io/name'] === 'credit-score-bootstrap',
      )!;
      expect(
        parseInt(s.spec.template.metadata.annotations['serving.knative.dev/progress-deadline'], 10),
      ).toBeGreaterThanOrEqual(bootstrap.spec.activeDeadlineSeconds);
      expect(container.startupProbe).toBeUndefined();
      expect(s.spec.template.metadata.name).toBeUndefined();
      expect(s.spec.template.spec.timeoutSeconds ?? 300).toBeLessThanOrEqual(600);
      expect(container.securityContext).toMatchObject({
        runAsNonRoot: true,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
      });
      expect(container.resources.limits.memory).toBeDefined();
      // No traffic block (Knative defaults it to the latest revision; an apply then keeps a k8s:traffic split), and new revisions take traffic over 2 minutes.
      expect(s.spec.traffic).toBeUndefined();
      expect(s.metadata.annotations?.['serving.knative.dev/rollout-duration']).toBe('120s');
      expect(s.spec.template.metadata.annotations['prometheus.io/scrape']).toBe('true');
      expect(s.spec.template.metadata.annotations['autoscaling.knative.dev/max-scale']).toBeDefined();
      const kinds = objects.map((o) => o.kind);
      for (const kind of [
        'Namespace',
        'ConfigMap',
        'ServiceAccount',
        'Deployment',
        'PersistentVolumeClaim',
        'Job',
        'CronJob',
        'NetworkPolicy',
      ])
        expect(kinds).toContain(kind);
      expect(kinds.includes('Secret')).toBe(overlay === 'minikube');
      // The image: dev.local on minikube (skipped by Knative's tag resolution), pull credentials in prod.
      expect(container.image).toBe(
        overlay === 'prod' ? 'registry.example.com/mlops-credit-score:1.0.0' : 'dev.local/mlops-credit-score:dev',
      );
      // Each Job's name ends with the image tag.
      const tag = container.image.split(':')[1];
      expect(
        objects
          .filter((o) => o.kind === 'Job')
          .map((o) => o.metadata.name)
          .sort(),
      ).toEqual([`credit-score-bootstrap-${tag}`, `minio-bucket-setup-${tag}`]);
      // The schedules run the image's own command, not curl; the retrain template is a suspended CronJob.
      const cronJobs = objects.filter((o) => o.kind === 'CronJob');
      const argsOf = (c: (typeof cronJobs)[number]): string[] =>
        c.spec.jobTemplate.spec.template.spec.containers[0].args;
      expect(
        cronJobs
          .filter((c) => !c.spec.suspend)
          .map(argsOf)
          .sort(),
      ).toEqual([
        ['dist/server/run-schedule.mjs', 'canary'],
        ['dist/server/run-schedule.mjs', 'drift'],
        ['dist/server/run-schedule.mjs', 'housekeeping'],
      ]);
      expect(cronJobs.filter((c) => c.spec.suspend).map((c) => [c.metadata.name, argsOf(c)])).toEqual([
        ['credit-score-retrain', ['dist/server/retrain-job.mjs']],
      ]);
      for (const c of cronJobs) expect(c.spec.jobTemplate.spec.template.spec.containers[0].image).toBe(container.image);
      // Only the launcher's pods carry a Kubernetes API token: the drift check automounted, the api (Knative allows only false) as a projected volume.
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- manifests
      const podOf = (o: (typeof objects)[number]): any =>
        o.kind === 'CronJob' ? o.spec.jobTemplate.spec.template.spec : o.spec?.template?.spec;
      const automounted = objects.flatMap((o) =>
        podOf(o)?.containers && podOf(o).automountServiceAccountToken !== false
          ? [`${o.kind}/${o.metadata.name}:${podOf(o).serviceAccountName}`]
          : [],
      );
      expect(automounted).toEqual(['CronJob/drift-check:credit-score-launcher']);
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- manifests
      const projectsToken = (pod: any): boolean =>
        // eslint-disable-next-line @typescript-eslint/no-explicit-any -- manifests
        (pod?.volumes ?? []).some((v: any) => v.projected?.sources.some((x: any) => x.serviceAccountToken));
      const projected = objects
        .filter((o) => projectsToken(podOf(o)))
        .map((o) => `${o.kind}/${o.metadata.name}:${podOf(o).serviceAccountName}`);
      expect(projected).toEqual(['Service/credit-score-api:credit-score-launcher']);
      expect(s.spec.template.spec.automountServiceAccountToken).toBe(false);
      // Every schedule: Forbid, a starting deadline; the canary check every 5 minutes.
      for (const c of cronJobs)
        expect(c.spec).toMatchObject({ concurrencyPolicy: 'Forbid', startingDeadlineSeconds: expect.any(Number) });
      expect(cronJobs.find((c) => c.metadata.name === 'canary-check')!.spec.schedule).toBe('*/5 * * * *');
    });
  }

  it("sets MinIO's bucket lifecycle up (retention) from a generated ConfigMap, and fails a lifecycle MinIO would refuse", async () => {
    for (const overlay of ['minikube', 'minikube-vault', 'minikube-eso', 'prod']) {
      const objects = render(`k8s-fallback/overlays/${overlay}`);
      const lifecycle = objects.find(
        (o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('minio-lifecycle-'),
      ) as { metadata: { name: string }; data: Record<string, string> } | undefined;
      expect(JSON.parse(lifecycle!.data['lifecycle.json'])).toEqual(minioLifecycle(RETENTION_DEFAULTS));
      const job = objects.find(
        (o) => o.kind === 'Job' && o.metadata.labels?.['app.kubernetes.io/name'] === 'minio-bucket-setup',
      )!;
      const pod = job.spec.template.spec;
      // The Job mounts the ConfigMap by its hashed name: new periods make a new Job template (and a Job's template is immutable: the Job is gone 5 minutes after it ends).
      expect(pod.volumes).toContainEqual({ name: 'lifecycle', configMap: { name: lifecycle!.metadata.name } });
      expect(job.spec.ttlSecondsAfterFinished).toBeLessThanOrEqual(300);
      expect(pod.containers[0].args[0]).toMatch(
        /mc ilm rule import "local\/\$MODEL_BUCKET" < \/etc\/minio-lifecycle\/lifecycle\.json/,
      );
      // The registry is versioned; what expires by lifecycle is excluded (a kept version would outlive its retention).
      const expiring = (
        JSON.parse(lifecycle!.data['lifecycle.json']) as { Rules: { Filter: { Prefix: string } }[] }
      ).Rules.map((r) => r.Filter.Prefix);
      expect(pod.containers[0].args[0]).toContain(
        `mc version enable --excluded-prefixes "${expiring.join(',')}" "local/$MODEL_BUCKET"`,
      );
      // MinIO lets the Job in (its NetworkPolicy names the pods that may reach it).
      const minioIngress = objects.find(
        (o) => o.kind === 'NetworkPolicy' && o.spec.podSelector.matchLabels?.['app.kubernetes.io/name'] === 'minio',
      )!;
      expect(JSON.stringify(minioIngress.spec.ingress)).toContain(
        job.spec.template.metadata.labels['app.kubernetes.io/name'],
      );
    }
    const { problems } = await checkOverlay('test/fixtures/k8s/bad-lifecycle');
    expect(problems).toHaveLength(10);
    expect(problems[0]).toMatch(
      /ConfigMap\/minio-lifecycle-\w+: lifecycle\.json: Rules\[0\]\.Status: Status should not be empty$/,
    );
    expect(problems.join('\n')).toMatch(/Rules\[1\]\.Expiration\.Days: Days must be positive integer/);
  });

  it('fails a broken manifest, naming the wrong type, the missing field and the misspelt one', async () => {
    const result = await checkOverlay('test/fixtures/k8s/broken');
    expect(result.problems.join('\n')).toMatch(/containerConcurrency must be integer/);
    expect(result.problems.join('\n')).toMatch(
      /unknown field spec\.template\.spec\.containers\[0\]\.ports\[0\]\.contianerPort/,
    );
    expect(result.problems.join('\n')).toMatch(/Deployment\/no-selector: .*required property selector/);
    const cli = await import('node:child_process').then((cp) =>
      cp.spawnSync('node_modules/.bin/tsx', ['scripts/k8s-check.ts', 'test/fixtures/k8s/broken'], { encoding: 'utf8' }),
    );
    expect(cli.status).toBe(1);
  });

  it('k8s:traffic: a Knative-level canary of the api, as a patch on the prod overlay that renders valid', async () => {
    const dir = 'test-artifacts/k8s-traffic';
    mkdirSync(dir, { recursive: true });
    const patch = kustomizePatch('credit-score-api', trafficBlock('credit-score-api-00003', 10));
    writeFileSync(
      `${dir}/kustomization.yaml`,
      `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - ../../k8s-fallback/overlays/prod\n${patch}`,
    );
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
    expect(text).toMatch(
      /Service\/api: starts retrain Jobs \(RETRAIN_RUNNER=kubernetes\) but its service account token is not mounted/,
    );
    expect(text).toMatch(/Service\/api: service account quiet may not get cronjob retrain-template/);
    expect(text).toMatch(/Service\/api: service account quiet may not create jobs/);
    expect(text).toMatch(/CronJob\/drift: service account half may not create jobs/);
    expect(text).toMatch(/CronJob\/retrain-template: the retrain Job template must be suspended/);
  });

  it("fails pods the namespace's restricted Pod Security would refuse, naming what each lacks", async () => {
    const { problems } = await checkOverlay('test/fixtures/k8s/not-restricted');
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(
      /CronJob\/no-seccomp: container run breaks the namespace's restricted Pod Security \(the pod would be refused\): seccompProfile.type: RuntimeDefault$/,
    );
    expect(problems[1]).toMatch(
      /Job\/escalating: container escalates breaks .*: allowPrivilegeEscalation: false, capabilities.drop: \[ALL\]$/,
    );
  });

  it('fails what the cluster would refuse or stall on, one problem per fault', async () => {
    const { problems } = await checkOverlay('test/fixtures/k8s/undeployable');
    const deploy = problems.filter((p) => !/unknown field|must be|required property/.test(p));
    expect(deploy).toHaveLength(4);
    expect(deploy.join('\n')).toMatch(/Service\/pinned: pinned revision name pinned-v1-0-0/);
    expect(deploy.join('\n')).toMatch(
      /Service\/slow: timeoutSeconds 1800 is above the cluster's max-revision-timeout-seconds \(600\)/,
    );
    expect(deploy.join('\n')).toMatch(/Service\/trainer: readiness probe \/health needs a loaded model/);
    expect(deploy.join('\n')).toMatch(/CronJob\/curler: shells out to curl/);
  });

  it("fails revision templates Knative 1.15's webhook refuses, reading the feature flags the render sets", async () => {
    const { problems } = await checkOverlay('test/fixtures/k8s/knative-masks');
    const knative = problems.filter((p) => !/unknown field/.test(p)).map((p) => p.replace(/^[^:]+: /, ''));
    expect(knative).toEqual([
      "Service/masked: Knative's webhook refuses spec.template.spec.tolerations (not in its PodSpec field mask with these config-features)",
      "Service/masked: Knative's webhook refuses spec.template.spec.automountServiceAccountToken: true (only false is allowed; mount a projected serviceAccountToken volume instead)",
      "Service/masked: Knative's webhook refuses volumes[data].persistentVolumeClaim (not in its VolumeSource mask with these config-features)",
      "Service/masked: Knative's webhook refuses containers[server].lifecycle",
      "Service/masked: containers[server]: port 9090 is reserved for Knative's queue-proxy",
      'Service/masked: containers[server]: PORT is a reserved environment variable',
      'Service/masked: containers[server]: mountPath /dev is a reserved path',
      'Service/masked: containers[server]: volume mount keys should be readOnly for this type of volume',
    ]);
  });

  it('fails images Knative cannot resolve to a digest: a Docker Hub name for a local build, a private tag without pull credentials', async () => {
    const { problems } = await checkOverlay('test/fixtures/k8s/tag-resolution');
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(
      /Service\/docker-hub: image mlops-credit-score:dev names no digest, its registry index\.docker\.io is not in registries-skipping-tag-resolving/,
    );
    expect(problems[1]).toMatch(
      /Service\/no-credentials: image registry\.example\.com\/mlops-credit-score:1\.0\.0 .* the pod has no imagePullSecrets/,
    );
  });

  it("fails NetworkPolicies that keep Knative's system components off the queue-proxy ports, and a namespace with no default-deny egress", async () => {
    const { problems } = await checkOverlay('test/fixtures/k8s/knative-ports');
    expect(problems.map((p) => p.replace(/^[^:]+: /, ''))).toEqual([
      'NetworkPolicy: no default-deny egress policy (podSelector {}, policyTypes [Egress], no egress rules): every pod may reach anything',
      "Service/api: its NetworkPolicies keep the knative-serving namespace out of queue-proxy port(s) 9090, 9091 (Knative's probes, admin and autoscaler metrics scrape)",
    ]);
  });

  it('fails a Job whose template the next deploy (another image tag) changes under the same name, and a name too long for its label', async () => {
    const { problems } = await checkOverlay('test/fixtures/k8s/job-template');
    const text = problems.join('\n');
    expect(text).toMatch(
      /Job\/fixed: a deploy with another image tag \(k8s-check-next\) changes its template but not its name/,
    );
    expect(text).not.toMatch(/Job\/follows/);
    expect(text).toMatch(
      /Job\/a-name-longer-than-a-job-name-label-value-may-be-sixty-three-chars: the name must be a DNS-1123 subdomain of at most 63 characters/,
    );
  });

  it('fails secrets in the environment of containers that do not need them, and a whole Secret taken in', async () => {
    const { problems } = await checkOverlay('test/fixtures/k8s/secret-env');
    expect(problems.map((p) => p.replace(/^[^:]+: /, ''))).toEqual([
      'Deployment/minio: container minio gets S3_ACCESS_KEY_ID from Secret credit-score-secrets but does not need it (it needs MINIO_ROOT_USER, MINIO_ROOT_PASSWORD)',
      'Job/retrain-with-admin-keys: container retrain gets ADMIN_API_KEYS from Secret credit-score-secrets but does not need it (it needs S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY)',
      'Job/whole-secret: container run takes the whole Secret credit-score-secrets into its environment (envFrom): name the keys it needs with secretKeyRef',
    ]);
  });

  it('fails host access the restricted Pod Security profile refuses: host network and path, root, privileged, added capability, host port', async () => {
    const { problems } = await checkOverlay('test/fixtures/k8s/host-access');
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(
      /Deployment\/host: pod breaks .*: hostNetwork: false, volume logs: hostPath is not a restricted volume type$/,
    );
    expect(problems[1]).toMatch(
      /Deployment\/host: container root breaks .*: runAsUser: not 0, privileged: false, capabilities\.add: only NET_BIND_SERVICE, no hostPort$/,
    );
  });

  it('fails a CronJob with no starting deadline and concurrent runs allowed', async () => {
    const { problems } = await checkOverlay('test/fixtures/k8s/cron-schedule');
    expect(problems.map((p) => p.replace(/^[^:]+: /, ''))).toEqual([
      'CronJob/every-minute: no startingDeadlineSeconds: a run missed while the controller was busy or down may start at any later time',
      'CronJob/every-minute: concurrencyPolicy Allow (the default): a run that outlasts its interval is doubled; use Forbid',
    ]);
  });

  it("minikube-eso: credit-score-secrets from Vault through ESO's ExternalSecret, every key the workloads read and no other, and k8s:check fails the overlay with one key dropped", async () => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- manifests
    const objects = render('k8s-fallback/overlays/minikube-eso') as any[];
    const read = new Set(
      objects
        .flatMap((o) => JSON.stringify(o).match(/"secretKeyRef":\{[^}]*\}/g) ?? [])
        .map((r) => JSON.parse(r.slice('"secretKeyRef":'.length)) as { name: string; key: string })
        .map((r) => `${r.name}/${r.key}`),
    );
    const es = objects.find((o) => o.kind === 'ExternalSecret');
    expect(es.apiVersion).toBe('external-secrets.io/v1');
    expect(new Set(es.spec.data.map((d: { secretKey: string }) => `${es.spec.target.name}/${d.secretKey}`))).toEqual(
      read,
    );
    expect(read.size).toBe(5);
    expect(es.spec.dataFrom).toBeUndefined();
    const store = objects.find((o) => o.kind === 'SecretStore' && o.metadata.name === es.spec.secretStoreRef.name);
    expect(store.spec.provider.vault).toMatchObject({
      path: 'secret',
      version: 'v2',
      auth: {
        kubernetes: { role: 'credit-score', serviceAccountRef: { name: 'credit-score-vault', audiences: ['vault'] } },
      },
    });
    // The account ESO logs in as runs no pod: no token is mounted anywhere for it.
    expect(objects.find((o) => o.kind === 'ServiceAccount' && o.metadata.name === 'credit-score-vault')).toMatchObject({
      automountServiceAccountToken: false,
    });
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
    // The same overlay with MINIO_ROOT_PASSWORD left out of the ExternalSecret: MinIO and the bucket Job would not start.
    const dir = 'test-artifacts/k8s-eso-missing-key';
    mkdirSync(dir, { recursive: true });
    const drop = es.spec.data.findIndex((d: { secretKey: string }) => d.secretKey === 'MINIO_ROOT_PASSWORD');
    writeFileSync(
      `${dir}/kustomization.yaml`,
      `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - ../../k8s-fallback/overlays/minikube-eso\npatches:\n  - target: { group: external-secrets.io, kind: ExternalSecret, name: credit-score-secrets }\n    patch: |\n      - op: remove\n        path: /spec/data/${drop}\n`,
    );
    const { problems } = await checkOverlay(dir);
    expect(problems.map((p) => p.replace(/^[^:]+: /, ''))).toEqual([
      expect.stringMatching(
        /^ExternalSecret\/credit-score-secrets: Secret credit-score-secrets gets no key MINIO_ROOT_PASSWORD, which Deployment\/minio, Job\/minio-bucket-setup-dev read\(s\) with secretKeyRef/,
      ),
    ]);
  });

  it("minikube-eso: docs/kubernetes.md's Vault commands match the manifests: the policy reads the ExternalSecret's entry, the role binds the store's account, audience and namespace, kv put writes every property", () => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- manifests
    const objects = render('k8s-fallback/overlays/minikube-eso') as any[];
    const es = objects.find((o) => o.kind === 'ExternalSecret');
    const vault = objects.find((o) => o.kind === 'SecretStore').spec.provider.vault;
    const docs = readFileSync('docs/kubernetes.md', 'utf8');
    const entries = [...new Set(es.spec.data.map((d: { remoteRef: { key: string } }) => d.remoteRef.key))];
    expect(entries).toEqual(['credit-score/minikube']);
    // KV v2: the policy names the data/ path, the CLI the mount and key.
    expect(docs).toContain(`path "${vault.path}/data/${entries[0]}" { capabilities = ["read"] }`);
    const account = vault.auth.kubernetes.serviceAccountRef;
    const role = new RegExp(
      `vault write auth/${vault.auth.kubernetes.mountPath}/role/${vault.auth.kubernetes.role} bound_service_account_names=${account.name} bound_service_account_namespaces=${es.metadata.namespace} audience=${account.audiences[0]} `,
    );
    expect(docs).toMatch(role);
    const put = new RegExp(`vault kv put ${vault.path}/${entries[0]} \\\\\n(.*)\n(.*)\n`).exec(docs)!;
    const written = `${put[1]} ${put[2]}`.match(/\b[A-Z][A-Z0-9_]+(?==)/g)!;
    expect(written.sort()).toEqual(
      es.spec.data.map((d: { remoteRef: { property: string } }) => d.remoteRef.property).sort(),
    );
  });

  it('fails External Secrets Operator objects off its v2.9.0 CRD schema, keys a workload reads that the ExternalSecret never writes, and missing stores and accounts', async () => {
    const { problems } = await checkOverlay('test/fixtures/k8s/external-secrets');
    expect(problems.map((p) => p.replace(/^[^:]+: /, ''))).toEqual([
      'ExternalSecret/app-secrets: unknown field spec.data[1].remoteRef.propery',
      'ExternalSecret/app-secrets: spec.refreshInterval: must be string, not integer',
      'SecretStore/vault: spec.provider.vault: required property server is missing',
      'SecretStore/vault: spec.provider.vault.version: must be one of "v1", "v2"',
      'SecretStore/vault: its Vault Kubernetes auth uses ServiceAccount missing-account in default, which the render does not have',
      'ExternalSecret/app-secrets: Secret app-secrets gets no key S3_SECRET_ACCESS_KEY, which Service/api, Job/retrain read(s) with secretKeyRef: add it under data',
      'ExternalSecret/dev-copy: its ClusterSecretStore shared is not in the render',
      'ExternalSecret/dev-copy: the render also has Secret dev-secrets: kubectl apply and the operator would overwrite each other',
      'ExternalSecret/dev-copy: dataFrom or target.template gives Secret dev-secrets keys k8s:check cannot see: name each key under data',
    ]);
  });

  it("fails a traffic block that restates Knative's default, which every apply would put back over a k8s:traffic split", async () => {
    const { problems } = await checkOverlay('test/fixtures/k8s/traffic-reset');
    expect(problems.map((p) => p.replace(/^[^:]+: /, ''))).toEqual([
      "Service/api: a traffic block that only restates Knative's default (100 % to the latest revision): each apply resets a split made with k8s:traffic; leave spec.traffic out",
    ]);
  });
});

describe('CRD schema check (structural schemas, as the API server reads them)', () => {
  const schema = {
    type: 'object',
    properties: {
      interval: { 'x-kubernetes-int-or-string': true },
      labels: { type: 'object', additionalProperties: { type: 'string', maxLength: 3 } },
      free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
      note: { type: 'string', nullable: true },
      list: { type: 'array', minItems: 1, items: { type: 'integer', format: 'int32' } },
    },
  };

  it('takes int-or-string, typed maps, preserved fields and nullable values', () => {
    expect(
      schemaProblems(schema, { interval: 5, labels: { a: 'xyz' }, free: { any: { thing: 1 } }, note: null, list: [1] }),
    ).toEqual([]);
    expect(schemaProblems(schema, { interval: '5m' })).toEqual([]);
  });

  it('refuses what the server would: wrong types, map values, unknown fields, too few items, int32 overflow', () => {
    expect(schemaProblems(schema, { interval: true, labels: { a: 'long' }, extra: 1, list: [] })).toEqual([
      'interval: must be an integer or a string, not boolean',
      'labels.a: must be at most 3 characters',
      'unknown field extra',
      'list: must have at least 1 item(s)',
    ]);
    expect(schemaProblems(schema, { list: [2 ** 31], labels: null })).toEqual([
      'list[0]: must fit in int32',
      'labels: must not be null',
    ]);
  });
});
