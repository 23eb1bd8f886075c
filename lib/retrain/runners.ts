/**
 * How a retrain job gets a process of its own, so training never blocks a serving container:
 * on AWS the retrain worker function is invoked asynchronously (InvocationType Event; it has
 * Lambda's 15 minutes), elsewhere a child process runs scripts/retrain-job.ts.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { Config } from '../config/config.ts';
import { silenceNodeVersionWarning } from '../util/aws-sdk.ts';

export interface JobRunner {
  start(jobId: string): Promise<void>;
}

export class LambdaRunner implements JobRunner {
  constructor(
    private readonly client: LambdaClient,
    private readonly functionName: string,
  ) {}

  async start(jobId: string): Promise<void> {
    const out = await this.client.send(new InvokeCommand({ FunctionName: this.functionName, InvocationType: 'Event', Payload: new TextEncoder().encode(JSON.stringify({ jobId })) }));
    if (out.StatusCode !== 202) throw new Error(`async invoke of ${this.functionName} answered ${out.StatusCode}`);
  }
}

export class ChildProcessRunner implements JobRunner {
  async start(jobId: string): Promise<void> {
    // For source checkouts (laptop, the Knative image), run from the repository root: TypeScript
    // through tsx, the child inheriting the environment (the configuration).
    const script = resolve(process.cwd(), 'scripts/retrain-job.ts');
    const child = spawn(process.execPath, ['--import', 'tsx', script, '--job', jobId], { stdio: ['ignore', 'inherit', 'inherit'], env: process.env });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', () => resolve());
      child.once('error', reject);
    });
    child.unref();
  }
}

export function createJobRunner(config: Config): JobRunner {
  if (config.RETRAIN_RUNNER === 'lambda') {
    silenceNodeVersionWarning();
    if (!config.RETRAIN_FUNCTION_NAME) throw new Error('RETRAIN_FUNCTION_NAME is required with RETRAIN_RUNNER=lambda');
    return new LambdaRunner(new LambdaClient({ region: config.AWS_REGION, ...(config.LAMBDA_ENDPOINT ? { endpoint: config.LAMBDA_ENDPOINT } : {}) }), config.RETRAIN_FUNCTION_NAME);
  }
  return new ChildProcessRunner();
}
