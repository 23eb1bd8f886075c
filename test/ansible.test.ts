/**
 * The minikube host's provisioning (k8s-fallback/ansible): clean under ansible-lint's production
 * profile and a valid playbook; and, read as data, a playbook that can run twice (every command
 * says when it changed something), checks every download, installs Node 22, waits for what it
 * uses, runs Docker commands in a login that has the docker group, reaches the api from outside
 * the cluster, and does what the walkthrough in docs/kubernetes.md says, in the same order.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { tempDir } from './helpers.ts';
import { ANSIBLE_LINT, ANSIBLE_PLAYBOOK, describeWithPrograms, KUBECTL } from './programs.ts';

const DIR = 'k8s-fallback/ansible';
// Plain text (no colours), and Ansible's scratch files outside the home directory.
const ENV = {
  ...process.env,
  NO_COLOR: '1',
  ANSIBLE_NOCOLOR: '1',
  ANSIBLE_FORCE_COLOR: '0',
  ANSIBLE_LOCAL_TEMP: '/tmp/ansible-local',
  ANSIBLE_HOME: '/tmp/ansible-home',
};

const source = readFileSync(`${DIR}/site.yml`, 'utf8');
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a playbook's tasks, as YAML data
type Task = Record<string, any>;
const play = (parse(source) as { vars: Record<string, unknown>; tasks: Task[] }[])[0];
const tasks = play.tasks;
const commandOf = (task: Task): string | undefined => {
  const body = task['ansible.builtin.command'] ?? task['ansible.builtin.shell'];
  return typeof body === 'string' ? body : body?.cmd;
};
const commands = tasks.filter((t) => commandOf(t) !== undefined);
/** Index of the first task whose command (or module text) contains `text`. */
const indexOf = (text: string): number => tasks.findIndex((t) => JSON.stringify(t).includes(text));

describeWithPrograms([ANSIBLE_LINT, ANSIBLE_PLAYBOOK], 'the Ansible playbook', () => {
  it('passes ansible-lint (production profile) and ansible-playbook --syntax-check', () => {
    const lint = spawnSync('ansible-lint', ['--profile', 'production', DIR], {
      encoding: 'utf8',
      timeout: 120_000,
      env: ENV,
    });
    // eslint-disable-next-line no-control-regex -- colour codes, in case a terminal setting wins
    expect(`${lint.stdout}\n${lint.stderr}`.replace(/\u001b\[[0-9;]*m/g, '')).toMatch(
      /Passed with production profile: 0 failure\(s\), 0 warning\(s\)/,
    );
    expect(lint.status).toBe(0);
    const syntax = spawnSync(
      'ansible-playbook',
      ['--syntax-check', '-i', `${DIR}/inventory.example.ini`, `${DIR}/site.yml`],
      { encoding: 'utf8', timeout: 120_000, env: ENV },
    );
    expect(syntax.stderr).toBe('');
    expect(syntax.status).toBe(0);
  });
});

/**
 * The playbook's cluster part (tag `cluster`: everything after the packages and downloads, which
 * need root and the network) run for real by ansible-playbook against stand-in minikube, kubectl
 * and npm programs (test/fixtures/ansible/bin) that answer in the real programs' output formats
 * and remember what was applied. Become is switched off (-e ansible_become=false): this machine
 * has no sudo. What this checks: the changed_when expressions against those outputs, the order,
 * and the arguments; not Knative, minikube or kubectl themselves.
 */
describeWithPrograms([ANSIBLE_PLAYBOOK], "the playbook's cluster part, run twice against stand-in programs", () => {
  const state = tempDir('ansible-stand-ins');
  const run = (): { recap: Record<string, number>; changedTasks: string[]; output: string } => {
    const result = spawnSync(
      'ansible-playbook',
      [
        '-i',
        `${DIR}/inventory.example.ini`,
        `${DIR}/site.yml`,
        '--tags',
        'cluster',
        '-e',
        `vault_file=${resolve(DIR, 'vault.example.yml')}`,
        '-e',
        'ansible_become=false',
      ],
      {
        encoding: 'utf8',
        timeout: 300_000,
        env: { ...ENV, FAKE_STATE: state, PATH: `${resolve('test/fixtures/ansible/bin')}:${process.env.PATH}` },
      },
    );
    const output = result.stdout + result.stderr;
    expect(result.status, output).toBe(0);
    const recap = /localhost\s+: (.*)/.exec(output)![1];
    const counts = Object.fromEntries([...recap.matchAll(/(\w+)=(\d+)/g)].map((m) => [m[1], Number(m[2])]));
    // Each task's block: "TASK [name] ***" then its results; the tasks with a "changed:" line.
    const changedTasks = output
      .split(/\nTASK \[/)
      .slice(1)
      .filter((block) => /\nchanged: /.test(block))
      .map((block) => block.slice(0, block.indexOf(']')));
    return { recap: counts, changedTasks, output };
  };

  it("changes a fresh cluster, then reports 0 changed on the second run, and only the image build (and the api's roll onto it) after a source change", () => {
    const first = run();
    expect(first.changedTasks).toEqual([
      'Start minikube',
      "Apply Knative Serving's CRDs",
      "Apply Knative Serving's core",
      'Apply Kourier',
      'Configure Knative Serving',
      'Build the image inside minikube',
      'Create the namespace',
      'Apply the Secret',
      'Apply the overlay',
    ]);
    const second = run();
    expect(second.changedTasks).toEqual([]);
    expect(second.recap).toMatchObject({ changed: 0, failed: 0 });
    writeFileSync(join(state, 'source-id'), '2\n'); // the next build makes a different image
    expect(run().changedTasks).toEqual(['Build the image inside minikube', 'Roll the api onto the rebuilt image']);
    const calls = readFileSync(join(state, 'calls'), 'utf8');
    expect(calls).toContain(
      `kubectl -n credit-score patch ksvc credit-score-api --type merge -p {"spec": {"template": {"metadata": {"annotations": {"mlops-credit-score/image-id": "sha256:2"}}}}}`,
    );
    expect(calls).toContain(
      `kubectl patch configmap/config-domain -n knative-serving --type merge -p {"data": {"knative.example": ""}}`,
    );
    expect(calls).toContain('sg docker\nminikube image build -t dev.local/mlops-credit-score:dev .');
    expect(calls.trim().split('\n').at(-1)).toBe(
      'npm run smoke -- --url http://192.168.49.2:31080 --host credit-score-api.credit-score.knative.example',
    );
  });
});

describe('the playbook, read as data', () => {
  it('covers the whole path: packages, Node, minikube, Knative Serving with Kourier, the vault Secret, the overlay, the first model, the smoke check', () => {
    for (const step of [
      'ansible.builtin.apt',
      'minikube start',
      'serving-crds.yaml',
      'serving-core.yaml',
      'kourier.yaml',
      'include_vars',
      'create secret generic credit-score-secrets',
      'overlays/minikube-vault',
      'app.kubernetes.io/name=credit-score-bootstrap',
      'npm run smoke',
    ]) {
      expect(source, step).toContain(step);
    }
    // The Secret's values come from the vault only: never printed.
    expect(source.match(/no_log: true/g)).toHaveLength(2);
  });

  it('says of every command when it changed something, so a second run reports 0 changed', () => {
    expect(commands.length).toBeGreaterThan(15);
    for (const task of commands) {
      const says = task.changed_when !== undefined || task.args?.creates !== undefined;
      expect(says, task.name).toBe(true);
      // `changed_when: true` is honest only for a step that a `when` skips once done (minikube start).
      if (task.changed_when === true) expect(task.when, `${task.name}: changed_when true on every run`).toBeDefined();
    }
  });

  it('checks every download against a published sha256', () => {
    const downloads = tasks.filter((t) => t['ansible.builtin.get_url']);
    expect(downloads.map((t) => t.name)).toEqual([
      'Download Node.js 22',
      'Install minikube',
      'Install kubectl',
      'Download the Knative Serving and Kourier manifests',
    ]);
    for (const task of downloads)
      expect(task['ansible.builtin.get_url'].checksum, task.name).toMatch(/^sha256:|^\{\{ item\.checksum \}\}$/);
    expect(tasks[indexOf('Download the Knative Serving and Kourier manifests')].loop).toBe('{{ knative_manifests }}');
    const manifests = play.vars.knative_manifests as { name: string; url: string; checksum: string }[];
    for (const m of manifests)
      expect(m.checksum, m.name).toMatch(
        /^sha256:(https:\/\/github\.com\/knative\/[\w-]+\/releases\/download\/knative-v[\d.]+\/checksums\.txt|[0-9a-f]{64})$/,
      );
    // Nothing is applied straight from a URL: only the checked copies.
    expect(commands.filter((t) => /kubectl apply -f https?:/.test(commandOf(t)!))).toEqual([]);
  });

  it("installs Node.js 22 from the checked tarball, not Debian's or Ubuntu's nodejs (18 / 12)", () => {
    expect(play.vars.node_version).toMatch(/^v22\.\d+\.\d+$/);
    const apt = tasks.find((t) => t['ansible.builtin.apt'])!['ansible.builtin.apt'].name as string[];
    expect(apt).not.toContain('nodejs');
    expect(apt).not.toContain('npm');
    expect(indexOf('Put node, npm and npx on PATH')).toBeLessThan(indexOf('npm ci'));
  });

  it("waits for what each step uses: CRDs Established, Deployments Available, the webhook's endpoints before the ConfigMap patches", () => {
    const order = [
      'kubectl apply -f {{ downloads }}/serving-crds.yaml',
      '--for=condition=Established crd -l knative.dev/crd-install=true',
      'kubectl apply -f {{ downloads }}/serving-core.yaml',
      'kubectl -n knative-serving wait --for=condition=Available deployment --all',
      'get endpoints webhook',
      'kubectl apply -f {{ downloads }}/kourier.yaml',
      'wait --for=condition=Available deployment -l networking.knative.dev/ingress-provider=kourier',
      'kubectl patch configmap/',
      'kubectl apply -k k8s-fallback/overlays/minikube-vault',
      'job -l app.kubernetes.io/name=credit-score-bootstrap',
      'ksvc/credit-score-api --timeout',
      'npm run smoke',
    ].map(indexOf);
    expect(
      order.every((i) => i >= 0),
      JSON.stringify(order),
    ).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    const endpoints = tasks[indexOf('get endpoints webhook')];
    expect(endpoints.until).toMatch(/stdout \| length > 0/);
  });

  it('runs what needs Docker in the docker group: reconnects, and starts each minikube command through sg', () => {
    expect(indexOf('ansible.builtin.meta":"reset_connection')).toBeGreaterThan(indexOf('groups":"docker'));
    const docker = commands.filter((t) => /minikube /.test(commandOf(t)!));
    expect(docker.map((t) => t.name)).toEqual([
      "Read minikube's state",
      'Start minikube',
      "Read minikube's IP",
      'Build the image inside minikube',
    ]);
    for (const task of docker) {
      const lines = commandOf(task)!
        .split('\n')
        .filter((line) => /\bminikube /.test(line));
      for (const line of lines) expect(line, task.name).toMatch(/sg docker -c "minikube /);
    }
  });

  it("names a Knative domain outside the cluster and smoke-checks through Kourier with the service's host name", () => {
    expect(play.vars.knative_domain).not.toMatch(/cluster\.local$/);
    expect(source).toContain(`{ map: config-domain, data: { data: "{{ {knative_domain: ''} }}" } }`);
    expect(commandOf(tasks[indexOf('npm run smoke')])).toMatch(
      /--url http:\/\/\{\{ minikube_ip\.stdout \}\}:\{\{ kourier_port\.stdout \}\}\s+--host \{\{ api_url\.stdout \| urlsplit\('hostname'\) \}\}/,
    );
    expect(play.vars.image).toBe('dev.local/mlops-credit-score:dev');
  });
});

describeWithPrograms([KUBECTL], 'the Secret the playbook creates', () => {
  it("has every key the minikube-vault overlay's workloads read, each from a variable the vault example defines", () => {
    const rendered = execFileSync('kubectl', ['kustomize', 'k8s-fallback/overlays/minikube-vault'], {
      encoding: 'utf8',
    });
    const read = new Set(
      [
        ...rendered.matchAll(
          /secretKeyRef:\s*\n?\s*(?:key: (\w+)\s*\n\s*name: credit-score-secrets|name: credit-score-secrets\s*\n\s*key: (\w+))/g,
        ),
      ].map((m) => m[1] ?? m[2]),
    );
    expect(read.size).toBeGreaterThan(2);
    const render = commandOf(tasks[indexOf('create secret generic credit-score-secrets')])!;
    const literals = Object.fromEntries(
      [...render.matchAll(/--from-literal=(\w+)=\{\{ (\w+) \}\}/g)].map((m) => [m[1], m[2]]),
    );
    expect(Object.keys(literals).sort()).toEqual([...read].sort());
    const vault = parse(readFileSync(`${DIR}/vault.example.yml`, 'utf8')) as Record<string, string>;
    for (const variable of Object.values(literals)) expect(vault[variable], variable).toEqual(expect.any(String));
  });
});

describe('the minikube walkthrough (docs/kubernetes.md)', () => {
  const page = readFileSync('docs/kubernetes.md', 'utf8');
  const walkthrough = /^Walkthrough \(needs[\s\S]*?```sh\n([\s\S]*?)```/m.exec(page)![1];

  it('does what the playbook does, step for step and in the same order', () => {
    // Each step: what identifies it in the playbook, and in the walkthrough's commands.
    const steps: [string, RegExp][] = [
      ['minikube start --driver=docker --cpus 4 --memory 8g', /^minikube start --driver=docker --cpus 4 --memory 8g$/m],
      [
        'serving-crds.yaml',
        /^kubectl apply -f https:\/\/github\.com\/knative\/serving\/releases\/download\/knative-v1\.15\.2\/serving-crds\.yaml$/m,
      ],
      [
        '--for=condition=Established crd -l knative.dev/crd-install=true',
        /^kubectl wait --for=condition=Established crd -l knative\.dev\/crd-install=true/m,
      ],
      [
        'serving-core.yaml"',
        /^kubectl apply -f https:\/\/github\.com\/knative\/serving\/releases\/download\/knative-v1\.15\.2\/serving-core\.yaml$/m,
      ],
      [
        'kubectl -n knative-serving wait --for=condition=Available deployment --all',
        /^kubectl -n knative-serving wait --for=condition=Available deployment --all/m,
      ],
      ['get endpoints webhook', /get endpoints webhook/],
      [
        'kourier.yaml"',
        /^kubectl apply -f https:\/\/github\.com\/knative\/net-kourier\/releases\/download\/knative-v1\.15\.1\/kourier\.yaml$/m,
      ],
      [
        'ingress-provider=kourier',
        /wait --for=condition=Available deployment -l networking\.knative\.dev\/ingress-provider=kourier/,
      ],
      ['config-network', /^kubectl patch configmap\/config-network .*kourier\.ingress\.networking\.knative\.dev/m],
      ['config-features', /^kubectl patch configmap\/config-features .*kubernetes\.podspec-emptydir":"enabled/m],
      ['config-domain', /^kubectl patch configmap\/config-domain .*"knative\.example":""/m],
      ['minikube image build -t {{ image }}', /^minikube image build -t dev\.local\/mlops-credit-score:dev \.$/m],
      ['kubectl apply -k k8s-fallback/overlays/minikube', /^kubectl apply -k k8s-fallback\/overlays\/minikube$/m],
      [
        'job -l app.kubernetes.io/name=credit-score-bootstrap',
        /^kubectl -n credit-score wait --for=condition=complete job -l app\.kubernetes\.io\/name=credit-score-bootstrap/m,
      ],
      [
        'ksvc/credit-score-api --timeout',
        /^kubectl -n credit-score wait --for=condition=Ready ksvc\/credit-score-api/m,
      ],
      [
        'get service kourier',
        /get service kourier -o 'jsonpath=\{\.spec\.ports\[\?\(@\.name=="http2"\)\]\.nodePort\}'/,
      ],
      ['npm run smoke', /^npm run smoke -- --url "\$URL" --host "\$HOST"$/m],
    ];
    const inPlaybook = steps.map(([text]) => indexOf(text));
    const inWalkthrough = steps.map(([, pattern]) => walkthrough.search(pattern));
    expect(
      steps.filter((_, i) => inPlaybook[i] < 0).map(([t]) => t),
      'steps missing from the playbook',
    ).toEqual([]);
    expect(
      steps.filter((_, i) => inWalkthrough[i] < 0).map(([t]) => t),
      'steps missing from the walkthrough',
    ).toEqual([]);
    expect(
      [...inPlaybook].sort((a, b) => a - b),
      'playbook order',
    ).toEqual(inPlaybook);
    expect(
      [...inWalkthrough].sort((a, b) => a - b),
      'walkthrough order',
    ).toEqual(inWalkthrough);
  });
});
