/**
 * A route is declared once (lib/http/route-table.ts); the router, the OpenAPI document,
 * serverless.yml's httpApi events and each function's dispatch are derived from it. A fixture
 * route added to a copy of the table shows up in all of them; what is committed must be what the
 * derivation writes.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadRouteHandlers } from '../functions/adapter/route-handlers.ts';
import { matchRoute, routeFiles, ROUTES, routesOf } from '../functions/routes.ts';
import { byRoute } from '../functions/runtime/dispatch.ts';
import type { ServedHandler } from '../functions/runtime/http-handler.ts';
import { jsonResult, type HttpEvent, type LambdaContext } from '../lib/http/api-types.ts';
import { openApiDocument } from '../lib/http/openapi.ts';
import { ROUTE_TABLE, type RouteDeclaration, type RouteKey } from '../lib/http/route-table.ts';
import { withHttpEvents } from '../scripts/serverless/http-events.ts';

const yaml = readFileSync('serverless.yml', 'utf8');
const withPing = (file: string): Record<string, RouteDeclaration> => ({
  ...ROUTE_TABLE,
  'GET /model/ping': { file, tag: 'operations', summary: 'Answers pong' },
});
/** Where one function's block is in serverless.yml's lines, found by its handler file. */
const blockOf = (lines: string[], file: string): [number, number] => {
  const at = lines.findIndex((l) => l.endsWith(`/${file}.handler`));
  return [at, lines.findIndex((l, i) => i > at && /^ {2}\S/.test(l))];
};
const functionBlock = (text: string, file: string): string[] =>
  text.split('\n').slice(...blockOf(text.split('\n'), file));
const withoutBlock = (text: string, file: string): string[] => {
  const lines = text.split('\n');
  const [at, end] = blockOf(lines, file);
  return [...lines.slice(0, at), ...lines.slice(end)];
};

describe('serverless.yml', () => {
  it('has the httpApi events npm run build:serverless writes from the route table', () => {
    expect(
      withHttpEvents(yaml, ROUTES) === yaml,
      'serverless.yml differs from the route table: run npm run build:serverless',
    ).toBe(true);
  });

  it("gets a route added to the table as an event of its file's function, and nothing else changes", () => {
    const written = withHttpEvents(yaml, routesOf(withPing('health')));
    expect(functionBlock(written, 'health').filter((l) => l.includes('httpApi'))).toEqual([
      '      - { httpApi: { method: GET, path: /health } }',
      '      - { httpApi: { method: GET, path: /model/ping } }',
    ]);
    expect(functionBlock(yaml, 'health').filter((l) => l.includes('httpApi'))).toEqual([
      '    events: [{ httpApi: { method: GET, path: /health } }]',
    ]);
    expect(withoutBlock(written, 'health')).toEqual(withoutBlock(yaml, 'health'));
  });

  it('refuses a route whose file has no function, naming the file and the command', () => {
    expect(() => withHttpEvents(yaml, routesOf(withPing('ping')))).toThrow(
      /no function for functions\/ping\.ts.*npm run build:serverless/,
    );
  });

  it('refuses a function whose httpApi routes the table no longer declares', () => {
    const { 'GET /model/history': _gone, ...rest } = ROUTE_TABLE;
    expect(() => withHttpEvents(yaml, routesOf(rest))).toThrow(
      /function history: has httpApi routes but lib\/http\/route-table\.ts gives functions\/history\.ts none/,
    );
  });
});

describe('the router', () => {
  it('matches a route added to the table, with its file, and not before', () => {
    expect(matchRoute('GET', '/model/ping', routesOf(withPing('health')))).toEqual({
      route: { method: 'GET', path: '/model/ping', file: 'health' },
      params: {},
    });
    expect(matchRoute('GET', '/model/ping')).toBeNull();
    expect(matchRoute('GET', '/model/approvals/a%20b')).toEqual({
      route: { method: 'GET', path: '/model/approvals/{id}', file: 'approvals' },
      params: { id: 'a b' },
    });
    expect(matchRoute('GET', '/model/approvals/%E0')).toEqual({
      malformed: 'path parameter id has a malformed %-escape',
    });
  });

  it("loads each route file's handler, which serves exactly the routes the table gives its file", async () => {
    const handlers = await loadRouteHandlers();
    expect([...handlers.keys()]).toEqual([...routeFiles(), 'not-found']);
    // A handler file that serves fewer routes than its declarations is refused at load, naming both.
    await expect(loadRouteHandlers(routesOf(withPing('health')))).rejects.toThrow(
      "functions/health.ts's handler serves [GET /health] but lib/http/route-table.ts gives it [GET /health, GET /model/ping]",
    );
  });
});

describe('the OpenAPI document', () => {
  it('documents a route added to the table, from its declaration', () => {
    const paths = (table?: Record<string, RouteDeclaration>) =>
      openApiDocument(table).paths as Record<string, Record<string, { summary: string }>>;
    expect(paths(withPing('health'))['/model/ping'].get.summary).toBe('Answers pong');
    expect(paths()['/model/ping']).toBeUndefined();
  });
});

describe("a function's dispatch by route", () => {
  const served = (route: RouteKey): ServedHandler =>
    Object.assign(async () => jsonResult(200, { route }), { routes: [route] });
  const call = async (entry: ServedHandler, event: Partial<HttpEvent>): Promise<unknown> =>
    JSON.parse((await entry(event as HttpEvent, {} as LambdaContext)).body);
  const entry = byRoute(
    served('GET /model/approvals'),
    served('GET /model/approvals/{id}'),
    served('POST /model/approvals/{id}/approve'),
  );

  it('serves the routes of its handlers, and picks one by the route key', async () => {
    expect(entry.routes).toEqual([
      'GET /model/approvals',
      'GET /model/approvals/{id}',
      'POST /model/approvals/{id}/approve',
    ]);
    expect(
      await call(entry, { routeKey: 'POST /model/approvals/{id}/approve', rawPath: '/model/approvals/x' }),
    ).toEqual({ route: 'POST /model/approvals/{id}/approve' });
  });

  it('picks one by method and path when the event has no route key it knows', async () => {
    const event = (method: string, rawPath: string) =>
      ({ rawPath, requestContext: { http: { method } } }) as Partial<HttpEvent>;
    expect(await call(entry, event('GET', '/model/approvals/r1'))).toEqual({ route: 'GET /model/approvals/{id}' });
    expect(await call(entry, event('GET', '/model/approvals'))).toEqual({ route: 'GET /model/approvals' });
  });
});
