/** The minikube host's provisioning (k8s-fallback/ansible): clean under ansible-lint's production profile, and a valid playbook. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { ANSIBLE_LINT, ANSIBLE_PLAYBOOK, describeWithPrograms } from './programs.ts';

const DIR = 'k8s-fallback/ansible';
// Plain text (no colours), and Ansible's scratch files outside the home directory.
const ENV = { ...process.env, NO_COLOR: '1', ANSIBLE_NOCOLOR: '1', ANSIBLE_FORCE_COLOR: '0', ANSIBLE_LOCAL_TEMP: '/tmp/ansible-local', ANSIBLE_HOME: '/tmp/ansible-home' };

describeWithPrograms([ANSIBLE_LINT, ANSIBLE_PLAYBOOK], 'the Ansible playbook', () => {
  it('passes ansible-lint (production profile) and ansible-playbook --syntax-check', () => {
    const lint = spawnSync('ansible-lint', ['--profile', 'production', DIR], { encoding: 'utf8', timeout: 120_000, env: ENV });
    // eslint-disable-next-line no-control-regex -- colour codes, in case a terminal setting wins
    expect(`${lint.stdout}\n${lint.stderr}`.replace(/\u001b\[[0-9;]*m/g, '')).toMatch(/Passed with production profile: 0 failure\(s\), 0 warning\(s\)/);
    expect(lint.status).toBe(0);
    const syntax = spawnSync('ansible-playbook', ['--syntax-check', '-i', `${DIR}/inventory.example.ini`, `${DIR}/site.yml`], { encoding: 'utf8', timeout: 120_000, env: ENV });
    expect(syntax.stderr).toBe('');
    expect(syntax.status).toBe(0);
  });

  it('covers the whole path: packages, minikube, Knative Serving and Eventing, the vault Secret, the overlay, the first model, the smoke check', () => {
    const playbook = readFileSync(`${DIR}/site.yml`, 'utf8');
    for (const step of ['ansible.builtin.apt', 'minikube start', 'serving-core.yaml', 'kourier.yaml', 'eventing-core.yaml', 'include_vars', 'create secret generic credit-score-secrets', 'overlays/minikube-vault', 'job/credit-score-bootstrap', 'npm run smoke']) {
      expect(playbook, step).toContain(step);
    }
    // The Secret's values come from the vault only: never printed.
    expect(playbook.match(/no_log: true/g)).toHaveLength(2);
  });
});
