/**
 * npm run k8s:rehearse [-- --overlay k8s-fallback/overlays/minikube] [--keep]
 * A first deploy and a second one, on a throwaway cluster, for a machine with Docker (CI here has
 * no Docker engine and does not run it): kind with Kubernetes 1.31 and Knative Serving 1.15.2
 * (Kourier), the image built twice under two tags, the overlay applied from an empty registry,
 * Ready awaited (the bootstrap Job trains the first model), `npm run smoke`, the overlay applied
 * again with the second tag (new Job names, a new revision), the new revision awaited, smoke again,
 * the cluster deleted (also after a failure, unless --keep).
 *
 * The plan is a pure function (rehearsalPlan), unit-tested in test/k8s-rehearse.test.ts; running
 * it is a loop over its steps. Smoke reaches the revision through `kubectl port-forward` to the
 * api's pods (queue-proxy port 8012), so no DNS or load balancer is needed on the host.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { withNextTag } from './k8s/second-deploy.ts';

/** Pinned as the walkthrough and the playbook pin them. */
export const VERSIONS = {
  kindNode: 'kindest/node:v1.31.2',
  knativeServing: 'knative-v1.15.2',
  kourier: 'knative-v1.15.1',
};
const NAMESPACE = 'credit-score';
const IMAGE = 'dev.local/mlops-credit-score';

export type Step =
  | { kind: 'run'; argv: string[]; why: string }
  | { kind: 'render'; overlay: string; tag: string; file: string; why: string }
  | { kind: 'background'; name: string; argv: string[]; port: number; why: string }
  | { kind: 'stop'; name: string; why: string };

export interface RehearsalOptions {
  cluster: string;
  overlay: string;
  tags: [string, string];
  workDir: string;
  port: number;
}

/** The steps of a rehearsal, in order; the last is always the cluster's deletion. */
export function rehearsalPlan(o: RehearsalOptions): Step[] {
  // kind names the cluster's kubeconfig context kind-NAME: every kubectl call names it, never the user's current context.
  const k = (...args: string[]): string[] => ['kubectl', '--context', `kind-${o.cluster}`, ...args];
  const serving = `https://github.com/knative/serving/releases/download/${VERSIONS.knativeServing}`;
  const kourier = `https://github.com/knative/net-kourier/releases/download/${VERSIONS.kourier}/kourier.yaml`;
  const steps: Step[] = [
    {
      kind: 'run',
      argv: ['kind', 'create', 'cluster', '--name', o.cluster, '--image', VERSIONS.kindNode, '--wait', '300s'],
      why: 'a fresh cluster: an empty registry',
    },
    { kind: 'run', argv: k('apply', '-f', `${serving}/serving-crds.yaml`), why: "Knative's CRDs" },
    {
      kind: 'run',
      argv: k('wait', '--for=condition=Established', 'crd', '--all', '--timeout=120s'),
      why: 'the CRDs served before anything uses them',
    },
    { kind: 'run', argv: k('apply', '-f', `${serving}/serving-core.yaml`), why: 'Knative Serving' },
    { kind: 'run', argv: k('apply', '-f', kourier), why: 'the Kourier ingress' },
    {
      kind: 'run',
      argv: k('-n', 'knative-serving', 'wait', '--for=condition=Available', 'deployment', '--all', '--timeout=600s'),
      why: "Knative's controllers and webhook up (its webhook refuses nothing while down: it fails closed)",
    },
    {
      kind: 'run',
      argv: k('-n', 'kourier-system', 'wait', '--for=condition=Available', 'deployment', '--all', '--timeout=600s'),
      why: 'the ingress up',
    },
    {
      kind: 'run',
      argv: k(
        '-n',
        'knative-serving',
        'patch',
        'configmap/config-network',
        '--type',
        'merge',
        '-p',
        '{"data":{"ingress-class":"kourier.ingress.networking.knative.dev"}}',
      ),
      why: 'Kourier as the ingress',
    },
  ];
  o.tags.forEach((tag, i) => {
    const file = join(o.workDir, `rendered-${tag}.yaml`);
    const revision = `credit-score-api-${String(i + 1).padStart(5, '0')}`;
    const forward = `port-forward-${tag}`;
    if (i === 0) steps.push({ kind: 'run', argv: ['docker', 'build', '-t', `${IMAGE}:${tag}`, '.'], why: 'the image' });
    else
      steps.push({
        kind: 'run',
        argv: ['docker', 'tag', `${IMAGE}:${o.tags[0]}`, `${IMAGE}:${tag}`],
        why: 'a second tag: what a new release changes in the manifests',
      });
    steps.push(
      {
        kind: 'run',
        argv: ['kind', 'load', 'docker-image', `${IMAGE}:${tag}`, '--name', o.cluster],
        why: 'into the nodes (dev.local: Knative does not resolve it)',
      },
      { kind: 'render', overlay: o.overlay, tag, file, why: `the overlay with tag ${tag}, as a pipeline sets it` },
      {
        kind: 'run',
        argv: k('apply', '-f', file),
        why: i === 0 ? 'the first deploy' : 'the second deploy: refused if a Job kept its name with a new template',
      },
    );
    if (i === 0)
      steps.push({
        kind: 'run',
        argv: k(
          '-n',
          NAMESPACE,
          'wait',
          '--for=condition=complete',
          'job',
          '-l',
          'app.kubernetes.io/name=credit-score-bootstrap',
          '--timeout=1200s',
        ),
        why: 'the first model trained',
      });
    steps.push(
      {
        kind: 'run',
        argv: k(
          '-n',
          NAMESPACE,
          'wait',
          `--for=jsonpath={.status.latestReadyRevisionName}=${revision}`,
          'ksvc/credit-score-api',
          '--timeout=1200s',
        ),
        why: `revision ${revision} ready`,
      },
      {
        kind: 'run',
        argv: k('-n', NAMESPACE, 'wait', '--for=condition=Ready', 'ksvc/credit-score-api', '--timeout=600s'),
        why: 'the service ready',
      },
      {
        kind: 'background',
        name: forward,
        argv: k('-n', NAMESPACE, 'port-forward', `deployment/${revision}-deployment`, `${o.port}:8012`),
        port: o.port,
        why: "the revision's queue-proxy on localhost",
      },
      {
        kind: 'run',
        argv: ['npm', 'run', 'smoke', '--', '--url', `http://127.0.0.1:${o.port}`, '--timeout', '60'],
        why: `smoke against ${revision}`,
      },
      { kind: 'stop', name: forward, why: 'the port-forward ends' },
    );
  });
  steps.push({ kind: 'run', argv: ['kind', 'delete', 'cluster', '--name', o.cluster], why: 'the cluster removed' });
  return steps;
}

function render(overlay: string, tag: string, file: string): void {
  const yaml = withNextTag(overlay, tag, (copy) => {
    const out = spawnSync('kubectl', ['kustomize', copy], { encoding: 'utf8' });
    if (out.status !== 0) throw new Error(`kubectl kustomize failed: ${out.stderr}`);
    return out.stdout;
  });
  writeFileSync(file, yaml);
}

/** Polls until something accepts connections on 127.0.0.1:port (the port-forward), for up to a minute. */
async function listening(port: number): Promise<void> {
  for (let attempt = 0; attempt < 300; attempt++) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => resolve(socket.end() !== undefined));
      socket.on('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`nothing listens on 127.0.0.1:${port}`);
}

async function execute(steps: Step[], keep: boolean): Promise<void> {
  const background = new Map<string, ChildProcess>();
  const teardown = steps.at(-1)!;
  try {
    for (const step of steps.slice(0, -1)) {
      process.stdout.write(`\n== ${step.why}\n`);
      if (step.kind === 'render') render(step.overlay, step.tag, step.file);
      else if (step.kind === 'background') {
        background.set(step.name, spawn(step.argv[0]!, step.argv.slice(1), { stdio: 'ignore' }));
        await listening(step.port);
      } else if (step.kind === 'stop') {
        background.get(step.name)?.kill('SIGTERM');
        background.delete(step.name);
      } else {
        const result = spawnSync(step.argv[0]!, step.argv.slice(1), { stdio: 'inherit' });
        if (result.status !== 0)
          throw new Error(`failed (${result.status ?? result.error?.message}): ${step.argv.join(' ')}`);
      }
    }
  } finally {
    for (const child of background.values()) child.kill('SIGTERM');
    if (!keep && teardown.kind === 'run') spawnSync(teardown.argv[0]!, teardown.argv.slice(1), { stdio: 'inherit' });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      overlay: { type: 'string', default: 'k8s-fallback/overlays/minikube' },
      keep: { type: 'boolean', default: false },
    },
  });
  for (const tool of ['docker', 'kind', 'kubectl']) {
    if (spawnSync(tool, ['version'], { stdio: 'ignore' }).error) {
      process.stderr.write(`k8s:rehearse needs ${tool} (and a running Docker engine); it is not run in CI here\n`);
      process.exit(2);
    }
  }
  const stamp = Date.now().toString(36);
  const plan = rehearsalPlan({
    cluster: `credit-score-rehearsal-${stamp}`,
    overlay: values.overlay,
    tags: [`r1-${stamp}`, `r2-${stamp}`],
    workDir: mkdtempSync(join(tmpdir(), 'k8s-rehearse-')),
    port: 18080,
  });
  await execute(plan, values.keep);
}
