/** The Jenkinsfile: every stage the pipeline needs, each calling a real npm script, no secret inside, lint-clean. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { describeWithPrograms, JAVA } from './programs.ts';

const jenkinsfile = readFileSync('jenkins/Jenkinsfile', 'utf8');
const scripts = Object.keys(JSON.parse(readFileSync('package.json', 'utf8')).scripts);

describe('Jenkinsfile', () => {
  it('declares the stages in order', () => {
    const stages = [...jenkinsfile.matchAll(/stage\('([^']+)'\)/g)].map((m) => m[1]);
    expect(stages).toEqual(['Checkout', 'Install', 'Lint', 'Test', 'Train', 'Package', 'Build image', 'Push', 'Deploy', 'Verify']);
    expect(jenkinsfile).toMatch(/triggers \{\s*githubPush\(\)/);
    expect(jenkinsfile).toMatch(/changeset 'data\/\*\*'[\s\S]*changeset 'lib\/\*\*'/);
    expect(jenkinsfile).toMatch(/failure \{[\s\S]*\/model\/rollback/);
  });

  it('calls only npm scripts that exist', () => {
    const called = [...jenkinsfile.matchAll(/npm run ([\w:-]+)/g)].map((m) => m[1]);
    expect(called.length).toBeGreaterThan(6);
    for (const script of called) expect(scripts, script).toContain(script);
    expect(jenkinsfile).toMatch(/sh 'npm test'/);
  });

  it('takes every credential from the credentials store', () => {
    expect(jenkinsfile).not.toMatch(/AKIA[0-9A-Z]{16}|aws_secret_access_key|password\s*=/i);
    for (const id of ['registry-credentials', 'aws-deploy', 'kubeconfig', 'credit-score-admin-key']) expect(jenkinsfile).toContain(`credentialsId: '${id}'`);
  });

});

// npm-groovy-lint runs CodeNarc on Java.
describeWithPrograms([JAVA], 'Jenkinsfile lint', () => {
  it('passes npm-groovy-lint --noserver', () => {
    const lint = spawnSync('node_modules/.bin/npm-groovy-lint', ['--noserver', '--failon', 'error', 'jenkins/Jenkinsfile'], { encoding: 'utf8', timeout: 300_000 });
    expect(lint.status, lint.stdout + lint.stderr).toBe(0);
    expect(lint.stdout).toMatch(/'Error'\s*│\s*0/);
  });
});
