/**
 * The two or three Kubernetes API calls the retrain path makes, from inside a pod, with the
 * pod's service account. Written on node:https rather than @kubernetes/client-node: we need a
 * GET and a POST of plain JSON, and the official client would add its dependency tree (ws,
 * openid-client, jsonpath...) to an image that serves predictions. What matters is kept:
 * - the token is read from its file on every call, because projected service-account tokens
 *   are rotated by the kubelet (about hourly) and a cached one would expire;
 * - TLS is verified against the cluster CA mounted beside the token;
 * - every call has one deadline, and an error names the call and the API's own message (a 403
 *   from RBAC says which verb on which resource was refused).
 */
import { readFile } from 'node:fs/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';

export class KubernetesApiError extends Error {
  override name = 'KubernetesApiError';
  constructor(
    message: string,
    /** The HTTP status, 0 when the API could not be reached. */
    readonly status: number,
  ) {
    super(message);
  }
}

export interface ClusterApiOptions {
  /** Where the API server is; in a pod, from KUBERNETES_SERVICE_HOST/PORT; missing outside one. */
  apiUrl: string | undefined;
  /** The mounted service account: token, ca.crt, namespace. */
  serviceAccountDir: string;
  timeoutMs?: number;
}

export class ClusterApi {
  private readonly timeoutMs: number;

  constructor(private readonly options: ClusterApiOptions) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  /** The API server of the pod this runs in, or the one named by `override` (tests, out-of-cluster runs). */
  static inCluster(
    override: string | undefined,
    serviceAccountDir: string,
    env: NodeJS.ProcessEnv = process.env,
  ): ClusterApi {
    return new ClusterApi({ apiUrl: override ?? inClusterApiUrl(env), serviceAccountDir });
  }

  /** The namespace of this pod's service account. */
  async namespace(): Promise<string> {
    return (await this.readAccountFile('namespace')).trim();
  }

  get<T>(path: string): Promise<T> {
    return this.call<T>('GET', path);
  }

  post<T>(path: string, body: unknown): Promise<T> {
    return this.call<T>('POST', path, body);
  }

  delete<T>(path: string, body?: unknown): Promise<T> {
    return this.call<T>('DELETE', path, body);
  }

  private async readAccountFile(name: string): Promise<string> {
    const file = join(this.options.serviceAccountDir, name);
    try {
      return await readFile(file, 'utf8');
    } catch (err) {
      throw new KubernetesApiError(
        `cannot read the service account's ${name} (${file}): ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}; is the token mounted there (a projected serviceAccountToken volume, as the Knative api has, or automountServiceAccountToken)?`,
        0,
      );
    }
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    // Checked here, not at construction, so a misconfigured service still serves predictions.
    if (!this.options.apiUrl)
      throw new KubernetesApiError(
        'no Kubernetes API server: KUBERNETES_SERVICE_HOST is not set (not in a pod) and KUBERNETES_API_URL is not given',
        0,
      );
    const url = new URL(path, this.options.apiUrl);
    const token = (await this.readAccountFile('token')).trim();
    const secure = url.protocol === 'https:';
    const ca = secure ? await this.readAccountFile('ca.crt') : undefined;
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'application/json' };
    if (payload !== undefined)
      Object.assign(headers, {
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(payload)),
      });
    const what = `${method} ${url.pathname}`;
    // One deadline for the whole call (connect, TLS, answer), not an idle timeout.
    const signal = AbortSignal.timeout(this.timeoutMs);
    const res = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const send = secure ? httpsRequest : httpRequest;
      const req = send(url, { method, headers, ca, signal }, (response: IncomingMessage) => {
        const chunks: Buffer[] = [];
        response.on('data', (c: Buffer) => chunks.push(c));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        );
        response.on('error', reject);
      });
      req.on('error', (err: NodeJS.ErrnoException) =>
        reject(
          new KubernetesApiError(
            signal.aborted
              ? `${what}: no answer from the Kubernetes API within ${this.timeoutMs} ms`
              : `${what}: the Kubernetes API cannot be reached: ${err.code ?? err.message}`,
            0,
          ),
        ),
      );
      req.end(payload);
    });
    if (res.status >= 200 && res.status < 300) return (res.text ? JSON.parse(res.text) : {}) as T;
    throw new KubernetesApiError(`${what} answered ${res.status}: ${statusMessage(res.text)}`, res.status);
  }
}

/** The API server a pod's environment names (an IPv6 address in brackets), if any. */
export function inClusterApiUrl(env: NodeJS.ProcessEnv): string | undefined {
  const host = env.KUBERNETES_SERVICE_HOST;
  if (!host) return undefined;
  const port = env.KUBERNETES_SERVICE_PORT_HTTPS ?? env.KUBERNETES_SERVICE_PORT ?? '443';
  return `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** The `message` of a Kubernetes Status object, or the start of whatever came back. */
function statusMessage(text: string): string {
  try {
    const status = JSON.parse(text) as { message?: unknown };
    if (typeof status.message === 'string') return status.message;
  } catch {
    // not JSON: fall through
  }
  return text.slice(0, 200) || '(empty answer)';
}
