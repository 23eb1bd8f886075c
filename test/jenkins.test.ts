/**
 * The Jenkinsfile and its agent image: every stage the pipeline needs, each calling a real npm
 * script or pipeline script, no Groovy-interpolated shell, a container agent with Node 22 and the
 * programs the CI=true suite needs, no secret inside, lint-clean.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as programs from './programs.ts';
import { describeWithPrograms, JAVA, type Program } from './programs.ts';

const jenkinsfile = readFileSync('jenkins/Jenkinsfile', 'utf8');
const agentDockerfile = readFileSync('jenkins/Dockerfile', 'utf8');
const scripts = Object.keys(JSON.parse(readFileSync('package.json', 'utf8')).scripts);
const playbook = readFileSync('k8s-fallback/ansible/site.yml', 'utf8');

/** The argument of every `sh` step: `sh '...'`, `sh "..."`, `sh(script: ...)`. */
const shSteps = [...jenkinsfile.matchAll(/\bsh\s*(?:\(\s*script:\s*)?(['"])/g)].map((m) => ({
  quote: m[1],
  at: m.index,
  text: jenkinsfile.slice(m.index, jenkinsfile.indexOf('\n', m.index)),
}));

describe('Jenkinsfile', () => {
  it('declares the stages in order', () => {
    const stages = [...jenkinsfile.matchAll(/stage\('([^']+)'\)/g)].map((m) => m[1]);
    expect(stages).toEqual([
      'Checkout',
      'Install',
      'Lint',
      'Test',
      'Train',
      'Package',
      'Build image',
      'Push',
      'Deploy',
      'Bootstrap',
      'Verify',
    ]);
    expect(jenkinsfile).toMatch(/triggers \{\s*githubPush\(\)/);
    expect(jenkinsfile).toMatch(/changeset 'data\/\*\*'[\s\S]*changeset 'lib\/\*\*'/);
    expect(jenkinsfile).toMatch(/failure \{[\s\S]*\/model\/rollback/);
  });

  it('calls only npm scripts and pipeline scripts that exist', () => {
    const called = [...jenkinsfile.matchAll(/npm run ([\w:-]+)/g)].map((m) => m[1]);
    expect(called.length).toBeGreaterThan(6);
    for (const script of called) expect(scripts, script).toContain(script);
    expect(jenkinsfile).toMatch(/sh 'npm test'/);
    const files = [...jenkinsfile.matchAll(/npx tsx (\S+\.ts)/g)].map((m) => m[1]);
    expect(files).toEqual(
      expect.arrayContaining([
        'scripts/pipeline/service-url.ts',
        'scripts/pipeline/release-overlay.ts',
        'scripts/pipeline/wait-revision.ts',
        'scripts/pipeline/bootstrap-stack.ts',
      ]),
    );
    for (const file of files) expect(existsSync(file), file).toBe(true);
  });

  it('hands parameters to the shell as environment variables: every sh string is single-quoted', () => {
    expect(shSteps.length).toBeGreaterThan(15);
    expect(shSteps.filter((s) => s.quote !== "'").map((s) => s.text)).toEqual([]);
    expect(jenkinsfile).not.toMatch(/\$\{params\./);
    expect(jenkinsfile).toMatch(/sh 'npx serverless deploy --stage "\$STAGE" --package \.serverless'/);
  });

  it('reads the URL through the tested parser, sets the image without a kustomize binary, and waits for the new revision', () => {
    expect(jenkinsfile).not.toMatch(/sed -n/);
    expect(jenkinsfile).not.toMatch(/\bkustomize edit\b/);
    expect(jenkinsfile).toMatch(
      /serverless info --stage "\$STAGE" --verbose > \.serverless\/info\.txt'[\s\S]*env\.SERVICE_URL = sh\(script: 'npx tsx scripts\/pipeline\/service-url\.ts < \.serverless\/info\.txt'/,
    );
    expect(jenkinsfile).toMatch(
      /release-overlay\.ts --image "\$IMAGE" --out scratch\/release'\s*\n\s*sh 'kubectl apply -k scratch\/release'\s*\n[\s\S]*?env\.SERVICE_URL = sh\(script: 'npx tsx scripts\/pipeline\/wait-revision\.ts/,
    );
    // The first model before Verify, with the admin key from the credentials store.
    expect(jenkinsfile).toMatch(
      /stage\('Bootstrap'\)[\s\S]*credentialsId: 'credit-score-admin-key', variable: 'ADMIN_API_KEY'[\s\S]*bootstrap-stack\.ts --url "\$SERVICE_URL"[\s\S]*stage\('Verify'\)/,
    );
  });

  it('takes every credential from the credentials store', () => {
    expect(jenkinsfile).not.toMatch(/AKIA[0-9A-Z]{16}|aws_secret_access_key|password\s*=/i);
    for (const id of ['registry-credentials', 'aws-deploy', 'kubeconfig', 'credit-score-admin-key'])
      expect(jenkinsfile).toContain(`credentialsId: '${id}'`);
  });
});

describe('the Jenkins agent', () => {
  it('is a container built from jenkins/Dockerfile, not whatever node `agent any` finds', () => {
    expect(jenkinsfile).not.toMatch(/agent any/);
    expect(jenkinsfile).toMatch(/agent \{\s*dockerfile \{\s*filename 'Dockerfile'\s*dir 'jenkins'/);
  });

  it('runs Node 22, the version the playbook installs', () => {
    const from = /^FROM node:(\d+\.\d+\.\d+)-bookworm$/m.exec(agentDockerfile);
    expect(from, 'a pinned node:22.x.y-bookworm base').not.toBeNull();
    expect(from![1]).toMatch(/^22\./);
    expect(playbook).toContain(`node_version: v${from![1]}`);
  });

  it('has every program the CI=true suite needs (test/programs.ts), kubectl checked against its published sha256', () => {
    const apt = /apt-get install[^\n]*\n\s*([^\n]+)/.exec(agentDockerfile)![1].replace(/\\$/, '').trim().split(/\s+/);
    const needed = Object.values(programs).filter(
      (p): p is Program => typeof p === 'object' && p !== null && 'install' in p,
    );
    expect(needed.length).toBeGreaterThan(6);
    for (const program of needed) {
      const debian = /^sudo apt-get install (\S+)$/.exec(program.install);
      if (debian) expect(apt, program.name).toContain(debian[1]);
      else
        expect(agentDockerfile, program.name).toMatch(
          new RegExp(`install -m 0755 /tmp/${program.name} /usr/local/bin/${program.name}`),
        );
    }
    // The sklearn references (test/helpers.ts sklearnMissing) and the Docker CLI for the image stages.
    expect(apt).toEqual(expect.arrayContaining(['python3-sklearn', 'docker.io']));
    const kubectlVersion = /^ARG KUBECTL_VERSION=(v[\d.]+)$/m.exec(agentDockerfile)![1];
    expect(playbook).toContain(`kubectl_version: ${kubectlVersion}`);
    expect(agentDockerfile).toMatch(/kubectl\.sha256[\s\S]*sha256sum --check --strict/);
    // A home any uid can write (Jenkins runs the container as the agent's uid).
    expect(agentDockerfile).toMatch(/^ENV HOME=\/home\/agent$/m);
    expect(agentDockerfile).toMatch(/^RUN mkdir -m 1777 \/home\/agent$/m);
  });
});

// npm-groovy-lint runs CodeNarc on Java.
describeWithPrograms([JAVA], 'Jenkinsfile lint', () => {
  it('passes npm-groovy-lint --noserver', () => {
    const lint = spawnSync(
      'node_modules/.bin/npm-groovy-lint',
      ['--noserver', '--failon', 'error', 'jenkins/Jenkinsfile'],
      { encoding: 'utf8', timeout: 300_000 },
    );
    expect(lint.status, lint.stdout + lint.stderr).toBe(0);
    expect(lint.stdout).toMatch(/'Error'\s*│\s*0/);
  });
});
