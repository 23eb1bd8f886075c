/**
 * scripts/pipeline/service-url.ts against what the installed serverless package really prints:
 * test/fixtures/pipeline/serverless-info.cjs runs the installed serverless package's (osls 3.77, a drop-in fork of v3) own info display steps and
 * output writer (only the CloudFormation answers are made up).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { serviceUrlFromInfo } from '../scripts/pipeline/service-url.ts';

const URL = 'https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com';
const STACK = {
  endpoint: URL,
  functions: [
    { name: 'predict', method: 'POST', path: '/predict' },
    { name: 'health', method: 'GET', path: '/health' },
  ],
  outputs: [
    { OutputKey: 'HttpApiId', OutputValue: 'a1b2c3d4e5' },
    {
      OutputKey: 'ServerlessDeploymentBucketName',
      OutputValue: 'mlops-credit-score-dev-serverlessdeploymentbucket-1x2y3z',
    },
    { OutputKey: 'HttpApiUrl', OutputValue: URL },
  ],
};

function serverlessInfo(verbose: boolean, stack: object = STACK): string {
  return execFileSync(
    process.execPath,
    ['test/fixtures/pipeline/serverless-info.cjs', JSON.stringify(stack), ...(verbose ? ['--verbose'] : [])],
    { encoding: 'utf8' },
  );
}

describe('the service URL from `serverless info --verbose`', () => {
  it('is found in the output of the installed serverless package, where the old anchored sed expression finds nothing', () => {
    const text = serverlessInfo(true);
    expect(text).toContain(`  HttpApiUrl: ${URL}`);
    // The Jenkinsfile's former `sed -n 's/^HttpApiUrl: //p'`.
    expect(text.split('\n').filter((line) => line.startsWith('HttpApiUrl: '))).toEqual([]);
    expect(serviceUrlFromInfo(text)).toBe(URL);
  });

  it('is refused without --verbose (no stack outputs) and when the stack has no HttpApiUrl', () => {
    expect(() => serviceUrlFromInfo(serverlessInfo(false))).toThrow(/no "Stack Outputs:" section/);
    const withoutUrl = { ...STACK, outputs: STACK.outputs.filter((o) => o.OutputKey !== 'HttpApiUrl') };
    expect(() => serviceUrlFromInfo(serverlessInfo(true, withoutUrl))).toThrow(
      /expected one HttpApiUrl in "Stack Outputs", found 0/,
    );
  });

  it('reads through colour codes in the section title', () => {
    const coloured = serverlessInfo(true).replace('Stack Outputs:', '\u001b[90mStack Outputs:\u001b[39m');
    expect(serviceUrlFromInfo(coloured)).toBe(URL);
  });

  it('prints the URL from standard input, and exits 1 naming the problem on empty input', () => {
    const ok = spawnSync('node_modules/.bin/tsx', ['scripts/pipeline/service-url.ts'], {
      input: serverlessInfo(true),
      encoding: 'utf8',
    });
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toBe(`${URL}\n`);
    const empty = spawnSync('node_modules/.bin/tsx', ['scripts/pipeline/service-url.ts'], {
      input: '',
      encoding: 'utf8',
    });
    expect(empty.status).toBe(1);
    expect(empty.stderr).toMatch(/service-url: no "Stack Outputs:" section/);
  });
});
