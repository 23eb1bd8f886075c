/**
 * How a retrain job gets a process of its own, so training never blocks a serving container:
 * on AWS the retrain worker function is invoked asynchronously (InvocationType Event; it has
 * Lambda's 15 minutes), in a cluster the retrain service gets it over HTTP, and on a laptop a
 * child process runs scripts/retrain-job.ts.
 */
import { spawn } from 'node:child_process';
import { request as httpRequest } from 'node:http';
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

/**
 * Posts the job to the retrain service (a Knative Service that scales from zero): it answers
 * 202 at once and runs the job in its own pod, so serving pods never train.
 */
export class HttpRunner implements JobRunner {
  constructor(
    private readonly baseUrl: string,
    private readonly apiKey: () => Promise<string>,
  ) {}

  /**
   * The retrain service runs the job while the request stays open (Knative keeps a pod for an
   * in-flight request, up to the service's timeoutSeconds), so this resolves once the request
   * is sent and leaves the answer to arrive (or not) when the job ends.
   */
  async start(jobId: string): Promise<void> {
    const url = new URL(`/internal/retrain/${encodeURIComponent(jobId)}`, this.baseUrl);
    const key = await this.apiKey();
    await new Promise<void>((resolve, reject) => {
      const req = httpRequest(url, { method: 'POST', headers: { 'x-api-key': key, 'content-length': 0 } }, (res) => res.resume());
      req.once('error', reject);
      req.once('finish', () => resolve());
      req.setTimeout(30_000, () => req.destroy(new Error('retrain service did not accept the job within 30 s')));
      req.end();
    });
  }
}

export class ChildProcessRunner implements JobRunner {
  constructor(private readonly script: string) {}

  async start(jobId: string): Promise<void> {
    // TypeScript sources run through tsx (a checkout); a built bundle runs on plain node. The
    // child inherits the environment, which is the configuration.
    const script = resolve(process.cwd(), this.script);
    const args = script.endsWith('.ts') ? ['--import', 'tsx', script] : [script];
    const child = spawn(process.execPath, [...args, '--job', jobId], { stdio: ['ignore', 'inherit', 'inherit'], env: process.env });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', () => resolve());
      child.once('error', reject);
    });
    child.unref();
  }
}

export function createJobRunner(config: Config, apiKey: () => Promise<string> = async () => ''): JobRunner {
  if (config.RETRAIN_RUNNER === 'lambda') {
    silenceNodeVersionWarning();
    if (!config.RETRAIN_FUNCTION_NAME) throw new Error('RETRAIN_FUNCTION_NAME is required with RETRAIN_RUNNER=lambda');
    return new LambdaRunner(new LambdaClient({ region: config.AWS_REGION, ...(config.LAMBDA_ENDPOINT ? { endpoint: config.LAMBDA_ENDPOINT } : {}) }), config.RETRAIN_FUNCTION_NAME);
  }
  if (config.RETRAIN_RUNNER === 'http') {
    if (!config.RETRAIN_SERVICE_URL) throw new Error('RETRAIN_SERVICE_URL is required with RETRAIN_RUNNER=http');
    return new HttpRunner(config.RETRAIN_SERVICE_URL, apiKey);
  }
  return new ChildProcessRunner(config.RETRAIN_JOB_SCRIPT);
}
