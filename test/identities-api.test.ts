/**
 * Principals and roles over the HTTP API (the node:http adapter, in this process): named keys
 * with roles, the legacy plain key, OIDC bearer tokens verified against a local JWKS (keys made
 * by jose in the test, served on 127.0.0.1), each refusal's status and words, and the history
 * recording the principal that moved an alias.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelRegistry } from '../lib/registry/model-registry.ts';
import type { EmbeddedS3 } from '../lib/storage/embedded-s3.ts';
import { startInProcessApi, type InProcessApi } from './in-process-api.ts';
import { startOidcProvider, type OidcProvider } from './oidc-provider.ts';
import { startServingS3 } from './s3.ts';

const VIEWER_KEY = 'vera-key-0123456789abcdef';
const OPERATOR_KEY = 'olga-key-0123456789abcdef';
const LEGACY_KEY = 'legacy-key-0123456789abcdef';
const LOG_FILE = join(mkdtempSync(join(tmpdir(), 'identities-')), 'service.log');

interface Answer {
  status: number;
  headers: Headers;
  body: {
    requestId?: string;
    error?: { code: string; message: string };
    event?: { actor: string; to: string };
    events?: { actor: string; eventId: string }[];
  };
  text: string;
}

describe('identities and roles over the API', () => {
  let s3: EmbeddedS3;
  let registry: ModelRegistry;
  let api: InProcessApi;
  let idp: OidcProvider;
  let version: string;

  beforeAll(async () => {
    const serving = await startServingS3();
    ({ s3, registry, version } = serving);
    idp = await startOidcProvider();
    const keys = `vera:viewer:${VIEWER_KEY},olga:operator:${OPERATOR_KEY},${LEGACY_KEY}`;
    api = await startInProcessApi({
      ...serving.env,
      ...idp.env,
      ADMIN_API_KEYS: keys,
      OIDC_GROUP_ROLES: '',
      LOG_LEVEL: 'info',
      LOG_FILE,
    });
  });

  afterAll(async () => {
    await api?.close();
    await idp?.close();
    await s3?.close();
  });

  async function call(
    method: string,
    path: string,
    headers: Record<string, string> = {},
    body?: unknown,
  ): Promise<Answer> {
    const r = await fetch(`${api.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await r.text();
    return { status: r.status, headers: r.headers, body: JSON.parse(text) as Answer['body'], text };
  }
  const promote = (headers: Record<string, string>, reason = 'test promote') =>
    call('POST', '/model/promote', headers, { alias: 'champion', version, reason });
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  it('answers 401 without credentials, saying both ways in', async () => {
    const r = await promote({});
    expect(r.status).toBe(401);
    expect(r.body.error?.message).toMatch(/x-api-key header or an OIDC bearer token/);
    expect(r.headers.get('www-authenticate')).toMatch(/Bearer/);
  });

  it('refuses a promote by a viewer key with 403 naming the role needed, and lets it read', async () => {
    const r = await promote({ 'x-api-key': VIEWER_KEY });
    expect(r.status).toBe(403);
    expect(r.body.error).toEqual({ code: 'forbidden', message: 'this route needs the operator role; vera has viewer' });
    expect((await call('GET', '/model/history', { 'x-api-key': VIEWER_KEY })).status).toBe(200);
  });

  it('lets an operator key promote, and the history records the operator, not a request id', async () => {
    const r = await promote({ 'x-api-key': OPERATOR_KEY }, 'operator promote');
    expect(r.status, r.text).toBe(200);
    expect(r.body.event?.actor).toBe('olga (operator, api key)');
    const history = await call('GET', '/model/history?alias=champion', { 'x-api-key': VIEWER_KEY });
    expect(history.body.events?.map((e) => e.actor)).toContain('olga (operator, api key)');
    const stored = await registry.history('credit-score', 'champion');
    expect(stored.at(-1)?.actor).toBe('olga (operator, api key)');
  });

  it('keeps a plain key working as the legacy principal admin-key-1 with every role', async () => {
    const r = await promote({ authorization: `Bearer ${LEGACY_KEY}` });
    expect(r.status, r.text).toBe(200);
    expect(r.body.event?.actor).toBe('admin-key-1 (approver, legacy api key)');
  });

  it('accepts an OIDC token and records its subject and name', async () => {
    const token = await idp.token({ sub: 'u-123', name: 'Alice Smith', roles: ['operator'] });
    const r = await promote(bearer(token), 'oidc promote');
    expect(r.status, r.text).toBe(200);
    expect(r.body.event?.actor).toBe('Alice Smith [u-123] (operator, oidc)');
  });

  it('refuses an OIDC viewer a change with 403, and lets it read', async () => {
    const token = await idp.token({ sub: 'u-9', email: 'vic@example.com', roles: 'viewer' });
    expect((await promote(bearer(token))).body.error?.message).toBe(
      'this route needs the operator role; vic@example.com has viewer',
    );
    expect((await call('GET', '/model/history', bearer(token))).status).toBe(200);
  });

  const refusals: {
    what: string;
    claims?: Record<string, unknown>;
    options: Parameters<OidcProvider['token']>[1];
    status: number;
    message: RegExp;
  }[] = [
    {
      what: 'the wrong audience',
      options: { audience: 'someone-else' },
      status: 401,
      message: /audience is not credit-score-admin/,
    },
    {
      what: 'the wrong issuer',
      options: { issuer: 'https://evil.example/' },
      status: 401,
      message: /issuer is not https:\/\/idp\.test\.example\//,
    },
    { what: 'an expired token', options: { expiresIn: -3600 }, status: 401, message: /it has expired/ },
    { what: 'a bad signature', options: { forged: true }, status: 401, message: /signature does not verify/ },
    { what: 'an unknown key id', options: { kid: 'rotated-away' }, status: 401, message: /no key for its key id/ },
    {
      what: 'no roles',
      claims: { sub: 'u-7', roles: [] },
      options: {},
      status: 403,
      message: /u-7 has no role here: the token's "roles" claim holds no role \(viewer, operator or approver\)/,
    },
    {
      what: 'roles this service does not know',
      claims: { sub: 'u-8', roles: ['admin', 'superuser'] },
      options: {},
      status: 403,
      message: /has no role here/,
    },
  ];
  for (const { what, claims, options, status, message } of refusals) {
    it(`refuses an OIDC token with ${what}: ${status}, naming the problem and never the token`, async () => {
      const token = await idp.token(claims ?? { sub: 'u-1', roles: ['approver'] }, options);
      const r = await promote(bearer(token));
      expect(r.status, r.text).toBe(status);
      expect(r.body.error?.message).toMatch(message);
      for (const part of token.split('.')) expect(r.text).not.toContain(part);
    });
  }

  it('fetches the key set once and keeps it for the next tokens', async () => {
    const before = idp.fetches();
    for (let i = 0; i < 3; i++)
      expect(
        (await call('GET', '/model/history', bearer(await idp.token({ sub: `u-${i}`, roles: ['viewer'] })))).status,
      ).toBe(200);
    expect(idp.fetches()).toBe(before);
  });

  it('logs the principal beside the request id, a refusal for a role too low too, and never a key or a token', async () => {
    const token = await idp.token({ sub: 'u-log', name: 'Logan', roles: ['operator'] });
    const done = await promote(bearer(token), 'logged promote');
    const refused = await promote({ 'x-api-key': VIEWER_KEY });
    const lines = readFileSync(LOG_FILE, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const line = (requestId: string | undefined) =>
      lines.find((l) => l['log.logger'] === 'access' && l['http.request.id'] === requestId);
    expect(line(done.body.requestId)).toMatchObject({
      'user.id': 'u-log',
      'user.name': 'Logan',
      'user.roles': ['operator'],
      'labels.auth': 'oidc',
      'http.response.status_code': 200,
      'source.ip': expect.stringContaining('127.0.0.1'),
    });
    expect(refused.status).toBe(403);
    const refusedLine = lines.find(
      (l) => l['log.logger'] === 'access' && l['http.response.status_code'] === 403 && l['user.id'] === 'vera',
    );
    expect(refusedLine).toMatchObject({
      'user.roles': ['viewer'],
      'labels.auth': 'api key',
      'error.code': 'forbidden',
    });
    const text = readFileSync(LOG_FILE, 'utf8');
    for (const secret of [VIEWER_KEY, OPERATOR_KEY, LEGACY_KEY, token.split('.')[2]])
      expect(text).not.toContain(secret);
  });

  it('leaves public routes as they were, whatever credentials come', async () => {
    const junk = bearer('not.a.token');
    expect((await call('GET', '/health', junk)).status).toBe(200);
    expect((await call('GET', '/model/info', { 'x-api-key': 'wrong-key-wrong-key-wrong' })).status).toBe(200);
  });
});
