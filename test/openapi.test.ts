/** GET /openapi.json: derived from the route table and the handlers' schemas, valid OpenAPI 3.1, its admin flags true. */
import { validate } from '@readme/openapi-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../functions/routes.ts';
import { openApiDocument } from '../lib/http/openapi.ts';
import { adminByDefault, predictResponseSchema, ROUTE_TABLE } from '../lib/http/route-table.ts';
import type { EmbeddedS3 } from '../lib/storage/embedded-s3.ts';
import { startInProcessApi, type InProcessApi } from './in-process-api.ts';
import { startServingS3 } from './s3.ts';

let s3: EmbeddedS3;
let api: InProcessApi;
let url: string;
const ADMIN_KEY = 'openapi-test-key-0123456789abcdef';

beforeAll(async () => {
  const serving = await startServingS3();
  s3 = serving.s3;
  api = await startInProcessApi({ ...serving.env, ADMIN_API_KEYS: ADMIN_KEY });
  url = api.url;
}, 120_000);

afterAll(async () => {
  await api?.close();
  await s3?.close();
});

const publicRoutes = ROUTES.map((r) => `${r.method} ${r.path}`);

describe('the OpenAPI document', () => {
  it('documents every route of the route table, and no route that does not exist', () => {
    const paths = openApiDocument().paths as Record<string, Record<string, unknown>>;
    const documented = Object.entries(paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(documented.sort()).toEqual([...publicRoutes].sort());
  });

  it('is valid OpenAPI 3.1 by a real validator, and is what GET /openapi.json serves', async () => {
    const served = await fetch(`${url}/openapi.json`, { signal: AbortSignal.timeout(10_000) });
    expect(served.status).toBe(200);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the document is asserted field by field
    const document: any = await served.json();
    expect(document).toEqual(JSON.parse(JSON.stringify(openApiDocument())));
    expect(document.openapi).toBe('3.1.0');
    const result = await validate(structuredClone(document));
    expect(result.valid ? [] : result.errors).toEqual([]);
    // The handlers' own schemas made it in: the retrain body's fields and the explain parameter.
    expect(
      Object.keys(document.paths['/model/retrain'].post.requestBody.content['application/json'].schema.properties),
    ).toEqual(expect.arrayContaining(['dataKey', 'promote', 'canary', 'cv', 'jobs']));
    expect(document.paths['/predict'].post.parameters.map((p: { name: string }) => p.name)).toEqual([
      'explain',
      'explainMethod',
    ]);
  });

  it('says admin exactly where the service asks for a key', async () => {
    for (const route of publicRoutes) {
      const [method, path] = route.split(' ');
      const concrete = path.replace('{name}', 'credit-score').replace('{version}', 'v1').replace('{jobId}', 'j1');
      const r = await fetch(url + concrete, {
        method,
        headers: { 'content-type': 'application/json' },
        ...(method === 'GET' ? {} : { body: '{}' }),
        signal: AbortSignal.timeout(30_000),
      });
      await r.arrayBuffer();
      expect(r.status === 401, `${route} answered ${r.status}`).toBe(
        adminByDefault(ROUTE_TABLE[route as keyof typeof ROUTE_TABLE]),
      );
    }
  });

  it('describes what /predict answers', async () => {
    const info = (await (await fetch(`${url}/model/info`)).json()) as { sampleRequest: unknown };
    const r = await fetch(`${url}/predict?explain=2`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(info.sampleRequest),
    });
    expect(r.status).toBe(200);
    expect(predictResponseSchema.safeParse(await r.json()).success).toBe(true);
  });
});
