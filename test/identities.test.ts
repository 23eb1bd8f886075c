/**
 * Principals and roles without a server: named and legacy admin keys, the role each admin route
 * needs (one table, checked against the route list and the OpenAPI docs' admin flags), the
 * actor string the history records and its reading back, and the OIDC settings' validation.
 */
import { describe, expect, it } from 'vitest';
import { adminKeyProblem, parseAdminKeys, principalForKey, splitAdminKeys } from '../lib/auth/api-keys.ts';
import { describePrincipal, mayActAs, readPrincipalActor, type Principal } from '../lib/auth/principal.ts';
import { loadConfig } from '../lib/config/config.ts';
import { adminByDefault, declaredRoutes } from '../lib/http/route-table.ts';
import { parseSecret } from '../lib/secrets/service-secrets.ts';

const KEY_A = 'alice-key-aaaaaaaaaaaaaaaa';
const KEY_B = 'bob-key-bbbbbbbbbbbbbbbbbb';
const PLAIN = 'plain-key-cccccccccccccccc';

describe('admin API keys', () => {
  it('reads named keys as principals with their role, and a plain key as admin-key-N with every role', () => {
    const entries = parseAdminKeys([`alice:operator:${KEY_A}`, PLAIN, `bob:viewer:${KEY_B}`]);
    expect(entries.map((e) => e.principal)).toEqual([
      { id: 'alice', name: 'alice', roles: ['operator'], via: 'api key' },
      { id: 'admin-key-1', name: 'admin-key-1', roles: ['viewer', 'operator', 'approver'], via: 'legacy api key' },
      { id: 'bob', name: 'bob', roles: ['viewer'], via: 'api key' },
    ]);
    expect(principalForKey(KEY_A, entries)?.id).toBe('alice');
    expect(principalForKey(PLAIN, entries)?.id).toBe('admin-key-1');
    expect(principalForKey(KEY_B, entries)?.id).toBe('bob');
  });

  it('matches a whole key only: not the named entry as written, a prefix, an extension, or nothing', () => {
    const entries = parseAdminKeys([`alice:operator:${KEY_A}`]);
    for (const wrong of [`alice:operator:${KEY_A}`, KEY_A.slice(0, -1), `${KEY_A}x`, '', undefined])
      expect(principalForKey(wrong, entries)).toBeNull();
    expect(principalForKey(KEY_A, [])).toBeNull();
  });

  it('reads a comma-separated list, so a caller can pick the key of a principal that may act as an operator (npm start does)', () => {
    const entries = parseAdminKeys(splitAdminKeys(` bob:viewer:${KEY_B} , alice:operator:${KEY_A},,`));
    expect(entries.map((e) => e.principal.id)).toEqual(['bob', 'alice']);
    expect(entries.find((e) => mayActAs(e.principal, 'operator'))?.key).toBe(KEY_A);
  });

  it('lets a name have two keys while one is rotated', () => {
    const entries = parseAdminKeys([`alice:operator:${KEY_A}`, `alice:operator:${KEY_B}`]);
    expect([principalForKey(KEY_A, entries)?.id, principalForKey(KEY_B, entries)?.id]).toEqual(['alice', 'alice']);
  });

  it('refuses short keys in either form and bad names, never quoting the key', () => {
    expect(adminKeyProblem('short')).toMatch(/at least 16 characters/);
    expect(adminKeyProblem('alice:operator:short-key')).toMatch(/key of a named admin API key .* at least 16/);
    expect(adminKeyProblem(`al ice:viewer:${KEY_A}`)).toMatch(/needs a name of letters/);
    expect(adminKeyProblem(`alice:viewer:${KEY_A}`)).toBeNull();
    // A key of the secret as well as of ADMIN_API_KEYS.
    expect(() => parseSecret(JSON.stringify({ adminApiKeys: ['alice:approver:tiny-secret'] }), 'secret')).toThrow(
      /adminApiKeys\.0: the key of a named admin API key/,
    );
    expect(() => parseSecret(JSON.stringify({ adminApiKeys: ['alice:approver:tiny-secret'] }), 'secret')).not.toThrow(
      /tiny-secret/,
    );
  });
});

describe('roles', () => {
  const as = (...roles: Principal['roles']): Pick<Principal, 'roles'> => ({ roles });
  it('nest: a viewer reads, an operator also changes, an approver may do both', () => {
    expect([mayActAs(as('viewer'), 'viewer'), mayActAs(as('viewer'), 'operator')]).toEqual([true, false]);
    expect([
      mayActAs(as('operator'), 'viewer'),
      mayActAs(as('operator'), 'operator'),
      mayActAs(as('operator'), 'approver'),
    ]).toEqual([true, true, false]);
    expect(mayActAs(as('approver'), 'operator')).toBe(true);
    expect(mayActAs(as(), 'viewer')).toBe(false);
  });

  it('leaves only GET /metrics open by default among the routes with a role, and lets a setting open only it and versioned inference', () => {
    const admin = declaredRoutes().filter(({ declaration }) => declaration.role);
    expect(admin.length).toBeGreaterThan(20);
    const openByDefault = admin.filter(({ declaration }) => !adminByDefault(declaration)).map(({ key }) => key);
    expect(openByDefault).toEqual(['GET /metrics']);
    expect(
      admin
        .filter(({ declaration }) => declaration.openedBy)
        .map(({ key }) => key)
        .sort(),
    ).toEqual(['GET /metrics', 'POST /v2/models/{name}/versions/{version}/infer']);
  });

  it('asks an operator for every admin change, a viewer for every admin read, and an approver to approve a change request', () => {
    for (const { key: route, declaration } of declaredRoutes()) {
      if (!declaration.role) continue;
      const read = route.startsWith('GET ') || route === 'POST /v2/models/{name}/versions/{version}/infer';
      expect(declaration.role, route).toBe(
        route === 'POST /model/approvals/{id}/approve' ? 'approver' : read ? 'viewer' : 'operator',
      );
    }
  });
});

describe('the actor a principal records', () => {
  it('names the principal, its role and its credential, and reads back', () => {
    const alice: Principal = { id: 'alice', name: 'alice', roles: ['operator'], via: 'api key' };
    const oidc: Principal = { id: '00u1ab', name: 'Alice Smith (Risk)', roles: ['viewer', 'approver'], via: 'oidc' };
    expect(describePrincipal(alice)).toBe('alice (operator, api key)');
    expect(describePrincipal(oidc)).toBe('Alice Smith (Risk) [00u1ab] (approver, oidc)');
    expect(readPrincipalActor(describePrincipal(alice))).toEqual({
      name: 'alice',
      id: 'alice',
      role: 'operator',
      via: 'api key',
    });
    expect(readPrincipalActor(describePrincipal(oidc))).toEqual({
      name: 'Alice Smith (Risk)',
      id: '00u1ab',
      role: 'approver',
      via: 'oidc',
    });
    expect(readPrincipalActor('admin-api 7f3c2a10')).toBeNull();
    expect(readPrincipalActor('canary-controller')).toBeNull();
  });
});

describe('OIDC settings', () => {
  const oidc = {
    OIDC_ISSUER: 'https://idp.example/',
    OIDC_AUDIENCE: 'credit-score',
    OIDC_JWKS_URL: 'https://idp.example/jwks',
  };
  it('go together, and a group mapping names known roles', () => {
    expect(loadConfig({ ...oidc }).OIDC_AUDIENCE).toBe('credit-score');
    expect(() => loadConfig({ OIDC_ISSUER: oidc.OIDC_ISSUER })).toThrow(
      /OIDC_ISSUER: set OIDC_ISSUER, OIDC_AUDIENCE and OIDC_JWKS_URL together/,
    );
    expect(loadConfig({ ...oidc, OIDC_GROUP_ROLES: 'risk-team=approver, ops=operator' }).OIDC_GROUP_ROLES).toBe(
      'risk-team=approver, ops=operator',
    );
    expect(() => loadConfig({ ...oidc, OIDC_GROUP_ROLES: 'ops=admin' })).toThrow(
      /OIDC_GROUP_ROLES: "ops=admin" is not group=role/,
    );
  });
});
