/** npm run k8s:check: the overlays render and pass the Kubernetes and Knative schemas; a broken one fails. */
import { execFileSync } from 'node:child_process';
import { parseAllDocuments } from 'yaml';
import { expect, it } from 'vitest';
import { checkOverlay } from '../scripts/k8s-check.ts';
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

    it(`${overlay}: three Knative services of one image, probed on /health, traffic summing to 100`, () => {
      const objects = render(`k8s-fallback/overlays/${overlay}`);
      const services = objects.filter((o) => o.kind === 'Service' && o.spec?.template?.spec?.containers);
      expect(services.map((s) => s.metadata.name).sort()).toEqual(['credit-score-api', 'credit-score-drift', 'credit-score-retrain']);
      for (const s of services) {
        const container = s.spec.template.spec.containers[0];
        expect(new Set(services.map((x) => x.spec.template.spec.containers[0].image)).size).toBe(1);
        expect(container.readinessProbe.httpGet.path).toBe('/health');
        expect(container.livenessProbe.httpGet.path).toBe('/health?probe=live');
        expect(container.securityContext).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
        expect(container.resources.limits.memory).toBeDefined();
        expect(s.spec.traffic.reduce((sum: number, t: { percent: number }) => sum + t.percent, 0)).toBe(100);
        expect(s.spec.template.metadata.annotations['autoscaling.knative.dev/max-scale']).toBeDefined();
      }
      const kinds = objects.map((o) => o.kind);
      for (const kind of ['Namespace', 'ConfigMap', 'ServiceAccount', 'Deployment', 'PersistentVolumeClaim', 'Job', 'CronJob', 'NetworkPolicy']) expect(kinds).toContain(kind);
      expect(kinds.includes('Secret')).toBe(overlay === 'minikube');
    });
  }

  it('fails a broken manifest, naming the wrong type, the missing field and the misspelt one', async () => {
    const result = await checkOverlay('test/fixtures/k8s/broken');
    expect(result.problems.join('\n')).toMatch(/containerConcurrency must be integer/);
    expect(result.problems.join('\n')).toMatch(/unknown field spec\.template\.spec\.containers\[0\]\.ports\[0\]\.contianerPort/);
    expect(result.problems.join('\n')).toMatch(/Deployment\/no-selector: .*required property selector/);
    const cli = await import('node:child_process').then((cp) => cp.spawnSync('node_modules/.bin/tsx', ['scripts/k8s-check.ts', 'test/fixtures/k8s/broken'], { encoding: 'utf8' }));
    expect(cli.status).toBe(1);
  });
});
