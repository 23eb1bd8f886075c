/**
 * A stand-in for the Kubernetes API server (none can run here): the few batch/v1 calls the
 * retrain path makes, with bearer-token checks and Status answers shaped like the real ones
 * (403 from RBAC, 404, 409 AlreadyExists). What the test does with a created Job, such as running
 * its container's command the way the kubelet would, is up to `onJob`.
 */
import { createServer, type IncomingMessage, type RequestListener } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './helpers.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- manifests
export type Manifest = any;

export interface FakeKubernetesApi {
  url: string;
  /** A service-account directory (token, namespace) to point KUBERNETES_SERVICE_ACCOUNT_DIR at. */
  accountDir: string;
  calls: { method: string; path: string; token: string }[];
  jobs: Map<string, Manifest>;
  setToken(token: string): void;
  close(): Promise<void>;
}

export interface FakeOptions {
  namespace: string;
  /** Objects GET can return (CronJobs, by name). */
  cronJobs: Manifest[];
  /** Verbs RBAC refuses on jobs, such as 'create'. */
  forbid?: string[];
  onJob?: (job: Manifest) => void;
  /** Serve HTTPS with this key and certificate (the test puts the CA in the account's ca.crt). */
  tls?: { key: string; cert: string };
  /** Take requests and never answer them. */
  hang?: boolean;
}

const status = (code: number, reason: string, message: string) => ({
  kind: 'Status',
  apiVersion: 'v1',
  status: 'Failure',
  message,
  reason,
  code,
});

export async function startFakeKubernetesApi(options: FakeOptions): Promise<FakeKubernetesApi> {
  const accountDir = join(tempDir('service-account'), 'sa');
  mkdirSync(accountDir, { recursive: true });
  let token = 'token-1';
  const setToken = (t: string): void => {
    token = t;
    writeFileSync(join(accountDir, 'token'), t);
  };
  setToken(token);
  writeFileSync(join(accountDir, 'namespace'), options.namespace);
  const calls: FakeKubernetesApi['calls'] = [];
  const jobs = new Map<string, Manifest>();
  const user = `system:serviceaccount:${options.namespace}:credit-score-launcher`;
  const body = async (req: IncomingMessage): Promise<string> => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  };
  const listener: RequestListener = async (req, res) => {
    if (options.hang) return;
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const sent = (req.headers.authorization ?? '').replace(/^Bearer /, '');
    calls.push({ method: req.method ?? '', path, token: sent });
    const answer = (code: number, value: unknown): void => {
      res.writeHead(code, { 'content-type': 'application/json' }).end(JSON.stringify(value));
    };
    if (sent !== token) return answer(401, status(401, 'Unauthorized', 'Unauthorized'));
    const base = `/apis/batch/v1/namespaces/${options.namespace}`;
    const text = await body(req);
    if (req.method === 'GET' && path.startsWith(`${base}/cronjobs/`)) {
      const name = decodeURIComponent(path.slice(`${base}/cronjobs/`.length));
      const found = options.cronJobs.find((c) => c.metadata.name === name);
      return found ? answer(200, found) : answer(404, status(404, 'NotFound', `cronjobs.batch "${name}" not found`));
    }
    if (req.method === 'POST' && path === `${base}/jobs`) {
      if (options.forbid?.includes('create'))
        return answer(
          403,
          status(
            403,
            'Forbidden',
            `jobs.batch is forbidden: User "${user}" cannot create resource "jobs" in API group "batch" in the namespace "${options.namespace}"`,
          ),
        );
      const job = JSON.parse(text) as Manifest;
      if (jobs.has(job.metadata.name))
        return answer(409, status(409, 'AlreadyExists', `jobs.batch "${job.metadata.name}" already exists`));
      jobs.set(job.metadata.name, job);
      answer(201, job);
      options.onJob?.(job);
      return;
    }
    answer(404, status(404, 'NotFound', `the server could not find the requested resource (${req.method} ${path})`));
  };
  const server = options.tls ? createTlsServer(options.tls, listener) : createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${address.port}`,
    accountDir,
    calls,
    jobs,
    setToken,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
