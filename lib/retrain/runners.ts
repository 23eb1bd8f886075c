/**
 * How a retrain job gets a process of its own, so training never blocks a serving container:
 * on AWS the retrain worker function is invoked asynchronously (InvocationType Event; it has
 * Lambda's 15 minutes), in a cluster a Kubernetes Job runs the image's retrain command
 * (kubernetes-job-runner.ts), and on a laptop a child process runs scripts/retrain-job.ts.
 * Every runner checks what it gets back: a start resolves only once the job is accepted
 * (Lambda's 202, the Kubernetes Job's 201) or seen running, and rejects with the reason
 * otherwise (the caller then fails the job and frees the lock).
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { Config } from '../config/config.ts';
import { ClusterApi } from '../kubernetes/cluster-api.ts';
import { silenceNodeVersionWarning } from '../util/aws-sdk.ts';
import type { JobRunner } from './job-runner.ts';
import { KubernetesJobRunner } from './kubernetes-job-runner.ts';

export type { JobRunner } from './job-runner.ts';

export class LambdaRunner implements JobRunner {
  constructor(
    private readonly client: LambdaClient,
    private readonly functionName: string,
  ) {}

  async start(jobId: string): Promise<void> {
    const out = await this.client.send(
      new InvokeCommand({
        FunctionName: this.functionName,
        InvocationType: 'Event',
        Payload: new TextEncoder().encode(JSON.stringify({ jobId })),
      }),
      {
        abortSignal: AbortSignal.timeout(10_000),
      },
    );
    if (out.StatusCode !== 202) throw new Error(`async invoke of ${this.functionName} answered ${out.StatusCode}`);
  }
}

export class ChildProcessRunner implements JobRunner {
  constructor(
    private readonly script: string,
    private readonly startTimeoutMs = 30_000,
  ) {}

  async start(jobId: string, running: () => Promise<boolean>): Promise<void> {
    // TypeScript sources run through tsx (a checkout); a built bundle runs on plain node. The
    // child inherits the environment, which is the configuration.
    const script = resolve(process.cwd(), this.script);
    const args = script.endsWith('.ts') ? ['--import', 'tsx', script] : [script];
    const child = spawn(process.execPath, [...args, '--job', jobId], {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: process.env,
    });
    child.unref();
    const exited = new Promise<never>((_, reject) => {
      child.once('error', (err) => reject(new Error(`the retrain process could not start: ${err.message}`)));
      child.once('exit', (code, signal) =>
        reject(new Error(`the retrain process exited (${signal ?? `code ${code}`}) before the job started`)),
      );
    });
    exited.catch(() => undefined);
    await Promise.race([exited, waitUntilRunning(running, this.startTimeoutMs, 'the retrain process')]);
  }
}

async function waitUntilRunning(running: () => Promise<boolean>, timeoutMs: number, who: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await running().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${who} did not start the job within ${Math.round(timeoutMs / 1000)} s`);
}

export function createJobRunner(config: Config): JobRunner {
  if (config.RETRAIN_RUNNER === 'lambda') {
    silenceNodeVersionWarning();
    if (!config.RETRAIN_FUNCTION_NAME) throw new Error('RETRAIN_FUNCTION_NAME is required with RETRAIN_RUNNER=lambda');
    return new LambdaRunner(
      new LambdaClient({
        region: config.AWS_REGION,
        ...(config.LAMBDA_ENDPOINT ? { endpoint: config.LAMBDA_ENDPOINT } : {}),
      }),
      config.RETRAIN_FUNCTION_NAME,
    );
  }
  if (config.RETRAIN_RUNNER === 'kubernetes') {
    return new KubernetesJobRunner(
      ClusterApi.inCluster(config.KUBERNETES_API_URL, config.KUBERNETES_SERVICE_ACCOUNT_DIR),
      config.RETRAIN_JOB_TEMPLATE,
    );
  }
  return new ChildProcessRunner(config.RETRAIN_JOB_SCRIPT);
}
