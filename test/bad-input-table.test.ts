/**
 * One table of bad inputs, run over both hosts of the same handlers: the node:http adapter
 * (scripts/serve.ts, the container's server) and serverless-offline (`npm start`'s). Each row
 * says the status and error code every host must answer; each host is started once for the
 * whole table, on one embedded store serving the small test model. The body size limit is the
 * service's MAX_BODY_BYTES on both (200,000 here), decided in lib/http/json-body.ts.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { featureColumns, loadSpec } from '../lib/data/spec.ts';
import type { EmbeddedS3 } from '../lib/storage/embedded-s3.ts';
import { startOidcProvider, type OidcProvider } from './oidc-provider.ts';
import { startServer } from './processes.ts';
import { startServingS3 } from './s3.ts';
import { startServerlessOffline } from './serverless-offline-host.ts';

const KEY = 'table-admin-key-0123456789abcdef';
const VIEWER_KEY = 'table-viewer-key-0123456789abcdef';
const MAX_BODY_BYTES = 200_000;
const MAX_INSTANCES = 50;
const spec = loadSpec('data/specs/credit-score.json');
const numeric = new Set(spec.numeric.map((c) => c.column));

/** A record of every feature column, all unknown (null): valid, the model takes missing values. */
const blank = (): Record<string, unknown> => Object.fromEntries(featureColumns(spec).map((c) => [c, null]));
/** One row as Open Inference Protocol tensors (FP64 numbers, BYTES text), Age changed by `age`. */
const tensors = (age: Record<string, unknown> = {}): unknown[] =>
  featureColumns(spec).map((name) => ({
    name,
    shape: [1],
    datatype: numeric.has(name) ? 'FP64' : 'BYTES',
    data: [null],
    ...(name === 'Age' ? age : {}),
  }));
const json = (value: unknown): string => JSON.stringify(value);
const INFER = '/v2/models/credit-score/infer';

interface Row {
  what: string;
  method: string;
  path: string;
  body?: string;
  headers?: Record<string, string>;
  status: number;
  /**
   * Our error code ({"error": {"code"}}), 'oip' for the Open Inference Protocol's {"error":
   * "message"}, null for a success, 'host' where the host answers in its own words before any
   * handler runs (API Gateway and serverless-offline do for a malformed path).
   */
  code: string | 'oip' | 'host' | null;
  /** What the error message must say (ours, either shape). */
  message?: RegExp;
}

const admin = { 'x-api-key': KEY };
/** Bearer tokens of the test's identity provider, signed in beforeAll (jose signs asynchronously). */
const viewerToken: Record<string, string> = {};
const otherAudienceToken: Record<string, string> = {};
const TABLE: Row[] = [
  {
    what: 'malformed JSON',
    method: 'POST',
    path: '/predict',
    body: '{"Age": 3',
    status: 400,
    code: 'malformed_request',
    message: /not valid JSON/,
  },
  {
    what: 'NaN in the text',
    method: 'POST',
    path: '/predict',
    body: '{"Age": NaN}',
    status: 400,
    code: 'malformed_request',
  },
  {
    what: 'Infinity in the text',
    method: 'POST',
    path: '/predict',
    body: '{"Age": -Infinity}',
    status: 400,
    code: 'malformed_request',
  },
  {
    what: 'an empty body',
    method: 'POST',
    path: '/predict',
    body: '',
    status: 400,
    code: 'malformed_request',
    message: /body is empty/,
  },
  {
    what: 'an empty body where fields are required',
    method: 'POST',
    path: '/model/promote',
    body: '',
    headers: admin,
    status: 400,
    code: 'malformed_request',
    message: /body is empty/,
  },
  {
    what: 'a JSON string body',
    method: 'POST',
    path: '/predict',
    body: '"hello"',
    status: 422,
    code: 'invalid_request',
    message: /must be a JSON object, got a string/,
  },
  {
    what: 'a JSON string body with escapes',
    method: 'POST',
    path: '/predict',
    body: '"a\\"b\\u0063"',
    status: 422,
    code: 'invalid_request',
  },
  {
    what: 'an empty JSON string body',
    method: 'POST',
    path: '/predict',
    body: '""',
    status: 422,
    code: 'invalid_request',
  },
  {
    what: 'text that is not JSON',
    method: 'POST',
    path: '/predict',
    body: 'hello',
    status: 400,
    code: 'malformed_request',
  },
  {
    what: 'a JSON number body',
    method: 'PUT',
    path: '/model/traffic',
    body: '42',
    headers: admin,
    status: 422,
    code: 'invalid_request',
    message: /must be a JSON object, got a number/,
  },
  { what: 'a JSON zero body', method: 'POST', path: '/predict', body: '0', status: 422, code: 'invalid_request' },
  {
    what: 'a JSON array body',
    method: 'POST',
    path: '/predict',
    body: '[1, 2]',
    status: 422,
    code: 'invalid_request',
    message: /must be a JSON object, got an array/,
  },
  {
    what: 'a JSON null body',
    method: 'POST',
    path: '/model/retrain',
    body: 'null',
    headers: admin,
    status: 422,
    code: 'invalid_request',
    message: /must be a JSON object, got null/,
  },
  {
    what: 'a JSON false body',
    method: 'POST',
    path: '/model/retrain',
    body: 'false',
    headers: admin,
    status: 422,
    code: 'invalid_request',
    message: /must be a JSON object, got a boolean/,
  },
  {
    what: 'a form-encoded body',
    method: 'POST',
    path: '/predict',
    body: 'Age=3',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    status: 415,
    code: 'unsupported_media_type',
    message: /content-type: application\/json/,
  },
  {
    what: 'a text/plain body',
    method: 'POST',
    path: '/model/promote',
    body: '{}',
    headers: { ...admin, 'content-type': 'text/plain' },
    status: 415,
    code: 'unsupported_media_type',
    message: /got text\/plain/,
  },
  {
    what: 'a body over the size limit',
    method: 'POST',
    path: '/predict',
    body: json({ ...blank(), Name: 'x'.repeat(MAX_BODY_BYTES) }),
    status: 413,
    code: 'payload_too_large',
  },
  {
    what: 'a body one byte over the limit',
    method: 'POST',
    path: '/predict',
    body: json({ ...blank(), Name: '' }).padEnd(MAX_BODY_BYTES + 1, ' '),
    status: 413,
    code: 'payload_too_large',
  },
  {
    what: 'a body at the limit',
    method: 'POST',
    path: '/predict',
    body: json({ ...blank(), Name: '' }).padEnd(MAX_BODY_BYTES, ' '),
    status: 200,
    code: null,
  },
  {
    what: 'a body over the limit where the route takes none',
    method: 'GET',
    path: '/health',
    body: 'x'.repeat(MAX_BODY_BYTES + 100_000),
    status: 200,
    code: null,
  },
  {
    what: 'a missing field',
    method: 'POST',
    path: '/predict',
    body: json({ ...blank(), Credit_Mix: undefined }),
    status: 422,
    code: 'invalid_request',
  },
  {
    what: 'an unknown field',
    method: 'POST',
    path: '/predict',
    body: json({ ...blank(), Colour: 'blue' }),
    status: 422,
    code: 'invalid_request',
  },
  {
    what: 'a wrong type',
    method: 'POST',
    path: '/predict',
    body: json({ ...blank(), Age: { years: 3 } }),
    status: 422,
    code: 'invalid_request',
  },
  {
    what: 'a number field that is not a number',
    method: 'POST',
    path: '/predict',
    body: json({ ...blank(), Annual_Income: 'lots' }),
    status: 422,
    code: 'invalid_request',
  },
  {
    what: 'an unknown category (a note, not an error)',
    method: 'POST',
    path: '/predict',
    body: json({ ...blank(), Occupation: 'Astronaut' }),
    status: 200,
    code: null,
  },
  {
    what: 'a huge batch',
    method: 'POST',
    path: '/predict',
    body: json({ instances: Array.from({ length: MAX_INSTANCES + 1 }, blank) }),
    status: 413,
    code: 'payload_too_large',
  },
  {
    what: 'an unknown route',
    method: 'GET',
    path: '/nope',
    status: 404,
    code: 'not_found',
    message: /no route GET \/nope/,
  },
  {
    what: 'a wrong method',
    method: 'GET',
    path: '/predict',
    status: 404,
    code: 'not_found',
    message: /no route GET \/predict/,
  },
  {
    what: 'another wrong method',
    method: 'PUT',
    path: '/predict',
    body: json(blank()),
    status: 404,
    code: 'not_found',
  },
  {
    what: 'an admin route without a key',
    method: 'POST',
    path: '/model/promote',
    body: json({ version: 'v1' }),
    status: 401,
    code: 'unauthorized',
    message: /admin API key/,
  },
  {
    what: 'a change with a viewer key',
    method: 'POST',
    path: '/model/promote',
    body: json({ alias: 'champion', version: 'v1' }),
    headers: { 'x-api-key': VIEWER_KEY },
    status: 403,
    code: 'forbidden',
    message: /needs the operator role; vera has viewer/,
  },
  {
    what: 'a read with an OIDC viewer token',
    method: 'GET',
    path: '/model/retrain/20990101-abc',
    headers: viewerToken,
    status: 404,
    code: 'not_found',
    message: /no retrain job/,
  },
  {
    what: 'an OIDC token for another audience',
    method: 'GET',
    path: '/model/history',
    headers: otherAudienceToken,
    status: 401,
    code: 'unauthorized',
    message: /audience is not/,
  },
  {
    what: 'an admin route with a wrong key',
    method: 'POST',
    path: '/model/retrain',
    body: '{}',
    headers: { 'x-api-key': 'wrong-key-wrong-key-wrong' },
    status: 401,
    code: 'unauthorized',
    message: /admin API key/,
  },
  {
    what: 'a dataKey outside data/',
    method: 'POST',
    path: '/drift/check',
    body: json({ dataKey: 'data/../private/x.csv' }),
    headers: admin,
    status: 422,
    code: 'invalid_request',
    message: /must not contain "\." or "\.\." segments/,
  },
  {
    what: 'a dataKey with an empty segment',
    method: 'POST',
    path: '/model/retrain',
    body: json({ dataKey: 'data//x.csv' }),
    headers: admin,
    status: 422,
    code: 'invalid_request',
    message: /empty segments/,
  },
  {
    what: 'a 5,000-character dataKey',
    method: 'POST',
    path: '/model/retrain',
    body: json({ dataKey: `data/${'x'.repeat(5000)}.csv` }),
    headers: admin,
    status: 422,
    code: 'invalid_request',
    message: /at most 512 characters/,
  },
  {
    what: 'an unknown job',
    method: 'GET',
    path: '/model/retrain/20990101-abc',
    headers: admin,
    status: 404,
    code: 'not_found',
    message: /no retrain job/,
  },
  {
    what: 'a malformed escape in the path',
    method: 'GET',
    path: '/model/retrain/%E0%A4%A',
    headers: admin,
    status: 400,
    code: 'host',
  },
  {
    what: 'a JSON string body on an admin route',
    method: 'PUT',
    path: '/model/traffic',
    body: '"canary"',
    headers: admin,
    status: 422,
    code: 'invalid_request',
  },
  {
    what: 'v2: a well-formed request',
    method: 'POST',
    path: INFER,
    body: json({ inputs: tensors() }),
    status: 200,
    code: null,
  },
  { what: 'v2: malformed JSON', method: 'POST', path: INFER, body: '{"inputs": [', status: 400, code: 'oip' },
  { what: 'v2: a JSON string body', method: 'POST', path: INFER, body: '"infer"', status: 422, code: 'oip' },
  {
    what: 'v2: a body over the size limit',
    method: 'POST',
    path: INFER,
    body: json({ inputs: tensors({ datatype: 'BYTES', data: ['x'.repeat(MAX_BODY_BYTES)] }) }),
    status: 413,
    code: 'oip',
  },
  {
    what: 'v2: INT8 out of range',
    method: 'POST',
    path: INFER,
    body: json({ inputs: tensors({ datatype: 'INT8', data: [300] }) }),
    status: 400,
    code: 'oip',
    message: /input Age: INT8 elements are integers from -128 to 127/,
  },
  {
    what: 'v2: FP16',
    method: 'POST',
    path: INFER,
    body: json({ inputs: tensors({ datatype: 'FP16', data: [30] }) }),
    status: 400,
    code: 'oip',
    message: /FP16 is not served here/,
  },
  {
    what: 'v2: a shape that does not hold the data',
    method: 'POST',
    path: INFER,
    body: json({ inputs: tensors({ shape: [2] }) }),
    status: 400,
    code: 'oip',
  },
  {
    what: 'v2: a huge batch',
    method: 'POST',
    path: INFER,
    body: json({
      inputs: tensors().map((t) => ({
        ...(t as object),
        shape: [MAX_INSTANCES + 1],
        data: Array(MAX_INSTANCES + 1).fill(null),
      })),
    }),
    status: 413,
    code: 'oip',
  },
  {
    what: 'v2: an unknown model',
    method: 'POST',
    path: '/v2/models/other/infer',
    body: json({ inputs: tensors() }),
    status: 404,
    code: 'oip',
    message: /model other is not registered/,
  },
];

/** One request over node:http (any method may carry a body, as a client may send one). */
function send(url: string, row: Row): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const body = row.body === undefined ? undefined : Buffer.from(row.body, 'utf8');
    const req = request(
      `${url}${row.path}`,
      {
        method: row.method,
        headers: {
          'content-type': 'application/json',
          ...(body ? { 'content-length': String(body.length) } : {}),
          ...row.headers,
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    // A host may answer (and close) before it has read a body it refuses.
    req.on('error', reject);
    req.end(body);
  });
}

let s3: EmbeddedS3;
let idp: OidcProvider;
let env: Record<string, string>;

beforeAll(async () => {
  let base: Record<string, string>;
  ({ s3, env: base } = await startServingS3());
  idp = await startOidcProvider();
  viewerToken.authorization = `Bearer ${await idp.token({ sub: 'table-viewer', roles: ['viewer'] })}`;
  otherAudienceToken.authorization = `Bearer ${await idp.token({ sub: 'table-viewer', roles: ['viewer'] }, { audience: 'another-service' })}`;
  env = {
    ...base,
    ...idp.env,
    ADMIN_API_KEYS: `${KEY},vera:viewer:${VIEWER_KEY}`,
    MAX_BODY_BYTES: String(MAX_BODY_BYTES),
    MAX_INSTANCES: String(MAX_INSTANCES),
    ALIAS_REFRESH_SECONDS: '1',
  };
}, 120_000);

afterAll(async () => {
  await idp?.close();
  await s3?.close();
});

const HOSTS = [
  { name: 'node-http', start: (e: Record<string, string>) => startServer(e, { ready: true }) },
  { name: 'serverless-offline', start: startServerlessOffline },
];

describe.each(HOSTS)('the bad-input table on $name', ({ start }) => {
  let host: { url: string; stop(): Promise<void> };

  beforeAll(async () => {
    host = await start(env);
  }, 180_000);

  afterAll(async () => {
    await host?.stop();
  });

  for (const row of TABLE) {
    it(`${row.what}: ${row.method} ${row.path} answers ${row.status}${row.code && row.code !== 'oip' ? ` ${row.code}` : ''}`, async () => {
      const r = await send(host.url, row);
      expect(r.status, r.text.slice(0, 300)).toBe(row.status);
      if (row.code === null || row.code === 'host') return;
      const body = JSON.parse(r.text) as { error: unknown };
      if (row.code === 'oip') expect(body).toEqual({ error: expect.stringMatching(row.message ?? /./) });
      else expect(body.error).toMatchObject({ code: row.code, message: expect.stringMatching(row.message ?? /./) });
      // Never a stack trace or a file of ours, never a body echoed whole.
      expect(r.text).not.toMatch(/\.ts:\d+|\.m?js:\d+|\bat \S+ \(\S+:\d+/);
      expect(r.text.length).toBeLessThan(2000);
    });
  }
});
