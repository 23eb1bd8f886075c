/**
 * The node:http adapter: a plain HTTP server that turns each request into the API Gateway
 * HTTP API event the handlers expect and writes their result back. It is the Knative
 * container's server and the test suite's: the same handlers as on Lambda, no second app.
 * It decides nothing about a body: it buffers at most the service's MAX_BODY_BYTES (plus the
 * chunk that crossed it) and hands on what it read with the client's headers; the handler's
 * JSON body middleware (lib/http/json-body.ts) answers 413 or ignores it, as it does under
 * serverless-offline and on Lambda.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HttpEvent, LambdaContext } from '../../lib/http/api-types.ts';
import { matchRoute, NOT_FOUND_FILE } from '../routes.ts';
import { loadRouteHandlers, type Handler } from './route-handlers.ts';
import { getBasics } from '../runtime/service.ts';

export interface AdapterOptions {
  host?: string;
  port?: number;
  /** A handler's time budget, as Lambda's function timeout (it answers 504 just before). */
  timeoutMs?: number;
}

export function createAdapter(options: AdapterOptions = {}): Server {
  // Loaded once, from the route table; a load failure answers every request with the adapter's 500 and its stack on stderr.
  const handlers = loadRouteHandlers();
  handlers.catch(() => {});
  return createServer((req, res) => {
    handle(req, res, options, handlers).catch((err: unknown) => {
      // Handlers map their own errors; this is only for a failure of the adapter itself.
      if (!res.headersSent)
        send(
          res,
          500,
          { 'content-type': 'application/json' },
          JSON.stringify({ error: { code: 'internal_error', message: 'internal error' } }),
        );
      process.stderr.write(`adapter error: ${(err as Error).stack ?? String(err)}\n`);
    });
  });
}

export async function listen(server: Server, options: { host?: string; port?: number }): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8080, options.host ?? '127.0.0.1', () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  return `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  options: AdapterOptions,
  loaded: Promise<Map<string, Handler>>,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const method = (req.method ?? 'GET').toUpperCase();
  const match = matchRoute(method, url.pathname);
  if (match && 'malformed' in match) {
    req.resume();
    const requestId = randomUUID();
    return send(
      res,
      400,
      { 'content-type': 'application/json', 'x-request-id': requestId },
      JSON.stringify({ error: { code: 'malformed_request', message: match.malformed }, requestId }),
    );
  }
  const { text, cut } = match
    ? await readBody(req, getBasics().config.MAX_BODY_BYTES)
    : (req.resume(), { text: '', cut: false });
  const requestId = randomUUID();
  const event = toEvent(req, url, method, match?.route.path ?? '$default', match?.params ?? {}, text, requestId);
  const handlers = await loaded;
  // The route's file's handler, as Lambda calls it: it picks the route by the event's route key.
  const handler = handlers.get(match?.route.file ?? NOT_FOUND_FILE)!;
  const result = await handler(event, lambdaContext(requestId, options.timeoutMs ?? 30_000));
  // A body left unread is not drained on a kept-alive connection: the client sends the next request on a new one.
  send(res, result.statusCode, cut ? { ...result.headers, connection: 'close' } : result.headers, result.body);
}

/**
 * The body as text, read up to the limit: one declared longer is not read at all (its
 * content-length tells the handler), and reading stops once the chunks pass it (what was read,
 * longer than the limit, tells the handler; the rest is read and dropped). `cut`: the body was left unread.
 */
function readBody(req: IncomingMessage, limit: number): Promise<{ text: string; cut: boolean }> {
  return new Promise((resolve, reject) => {
    if (Number(req.headers['content-length'] ?? 0) > limit) {
      req.resume();
      return resolve({ text: '', cut: true });
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      if (size <= limit) chunks.push(chunk);
      size += chunk.length;
    });
    req.on('end', () => resolve({ text: Buffer.concat(chunks).toString('utf8'), cut: false }));
    req.on('error', reject);
  });
}

function toEvent(
  req: IncomingMessage,
  url: URL,
  method: string,
  routePath: string,
  params: Record<string, string>,
  body: string,
  requestId: string,
): HttpEvent {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers))
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) query[name] = query[name] ? `${query[name]},${value}` : value;
  const now = new Date();
  return {
    version: '2.0',
    routeKey: routePath === '$default' ? routePath : `${method} ${routePath}`,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
    ...(Object.keys(params).length ? { pathParameters: params } : {}),
    requestContext: {
      accountId: 'local',
      apiId: 'node-http',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'localhost',
      http: {
        method,
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey: routePath === '$default' ? routePath : `${method} ${routePath}`,
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
    },
    body,
    isBase64Encoded: false,
  };
}

function lambdaContext(requestId: string, timeoutMs: number): LambdaContext {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'node-http-adapter',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:local:000000000000:function:node-http-adapter',
    memoryLimitInMB: '0',
    awsRequestId: requestId,
    logGroupName: 'local',
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

function send(res: ServerResponse, status: number, headers: Record<string, string>, body: string): void {
  res.writeHead(status, { ...headers, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
