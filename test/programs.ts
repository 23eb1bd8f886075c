/**
 * Tests that need a program outside node_modules (promtool, prometheus, kubectl, java...).
 * On a laptop without it, the tests are skipped with one line naming the program and how to
 * get it, and the run ends with the list (test/reporters/summary-line.ts). Under CI=true nothing
 * may skip: a missing program is a failing test that names it (.ci/run installs them all).
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { describe, it } from 'vitest';

export interface Program {
  name: string;
  /** How to get it, e.g. "sudo apt-get install prometheus". */
  install: string;
}

export const PROMTOOL: Program = { name: 'promtool', install: 'sudo apt-get install prometheus' };
export const PROMETHEUS: Program = { name: 'prometheus', install: 'sudo apt-get install prometheus' };
// Debian's kubernetes-client (1.20) embeds a kustomize too old for these overlays (v4+ is needed).
export const KUBECTL: Program = {
  name: 'kubectl',
  install: 'kubectl 1.21 or newer, see https://kubernetes.io/docs/tasks/tools/',
};
export const JAVA: Program = { name: 'java', install: 'sudo apt-get install default-jre-headless' };
export const CHROMIUM: Program = { name: 'chromium', install: 'sudo apt-get install chromium' };
export const OPENSSL: Program = { name: 'openssl', install: 'sudo apt-get install openssl' };
export const ANSIBLE_LINT: Program = { name: 'ansible-lint', install: 'sudo apt-get install ansible-lint' };
export const ANSIBLE_PLAYBOOK: Program = { name: 'ansible-playbook', install: 'sudo apt-get install ansible' };

/** Whether `name` is an executable file on PATH. */
export function onPath(name: string): boolean {
  return pathOf(name) !== null;
}

/** The executable `name` on PATH, or null. */
export function pathOf(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      // not here
    }
  }
  return null;
}

/**
 * `describe` for tests that need `programs`: as usual when they are all on PATH; otherwise one
 * skipped test whose note says what is missing, or, under CI=true, one failing test that does.
 */
export function describeWithPrograms(programs: Program[], title: string, body: () => void): void {
  const missing = programs.filter((p) => !onPath(p.name));
  if (missing.length === 0) {
    describe(title, body);
    return;
  }
  const note = `${title}: needs ${missing.map((p) => `${p.name} (${p.install})`).join(', ')}`;
  describe(title, () => {
    if (process.env.CI === 'true') {
      it(`has ${missing.map((p) => p.name).join(', ')} (required under CI=true)`, () => {
        throw new Error(`missing program(s) under CI=true: ${note}`);
      });
    } else {
      it(`needs ${missing.map((p) => p.name).join(', ')}`, (ctx) => ctx.skip(note));
    }
  });
}
