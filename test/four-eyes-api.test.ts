/**
 * Four eyes over the HTTP API (the real handlers behind the node:http adapter, the embedded S3
 * server, named keys): with the promotion policy at `approvals: 2` a promote of the champion is a
 * change request that a second principal approves; the requester, a legacy plain key, an expired
 * or stale request, and a second approver racing the first are each refused as documented
 * (docs/four-eyes.md), and the history names who asked and who approved.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileChangeRequest, requestRetrainPromotion } from '../lib/governance/approval-flow.ts';
import type { ModelRegistry } from '../lib/registry/model-registry.ts';
import type { EmbeddedS3 } from '../lib/storage/embedded-s3.ts';
import { startInProcessApi, type InProcessApi } from './in-process-api.ts';
import { startServingS3 } from './s3.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON bodies
type Json = any;

const MODEL = 'credit-score';
const LEGACY = 'legacy-key-0123456789abcdef';
const KEYS = {
  olga: 'olga-key-0123456789abcdef',
  alice: 'alice-key-0123456789abcdef',
  bob: 'bob-key-0123456789abcdef',
  carl: 'carl-key-0123456789abcdef',
  vera: 'vera-key-0123456789abcdef',
  legacy: LEGACY,
};
type Who = keyof typeof KEYS;

describe('four eyes on the champion over the admin API', () => {
  let s3: EmbeddedS3;
  let registry: ModelRegistry;
  let api: InProcessApi;
  /** Three versions with one contract (test/s3.ts); the champion starts at the first. */
  let v1: string;
  let v2: string;
  let v3: string;

  async function call(who: Who, method: string, path: string, body?: unknown): Promise<{ status: number; json: Json }> {
    const r = await fetch(api.url + path, {
      method,
      headers: { 'content-type': 'application/json', 'x-api-key': KEYS[who] },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(60_000),
    });
    return { status: r.status, json: await r.json() };
  }
  const promote = (who: Who, version: string, extra: Record<string, unknown> = {}) =>
    call(who, 'POST', '/model/promote', { alias: 'champion', version, reason: `${who} asks for ${version}`, ...extra });
  const approve = (who: Who, id: string) => call(who, 'POST', `/model/approvals/${id}/approve`);
  const champion = async (): Promise<string | undefined> => (await registry.getAlias(MODEL, 'champion'))?.version;
  const championMoves = async (): Promise<number> => (await registry.history(MODEL, 'champion')).length;
  const approvalSteps = async (requestId: string): Promise<{ action: string; actor: string }[]> =>
    (await call('vera', 'GET', '/model/history')).json.events
      .filter((e: Json) => e.kind === 'approval' && e.requestId === requestId)
      .map((e: Json) => ({ action: e.action, actor: e.actor }));

  beforeAll(async () => {
    const serving = await startServingS3(3);
    ({ s3, registry } = serving);
    [v1, v2, v3] = serving.versions;
    const keys = `olga:operator:${KEYS.olga},alice:approver:${KEYS.alice},bob:approver:${KEYS.bob},carl:approver:${KEYS.carl},vera:viewer:${KEYS.vera},${LEGACY}`;
    api = await startInProcessApi({ ...serving.env, ADMIN_API_KEYS: keys, ALIAS_REFRESH_SECONDS: '0.3' });
  }, 300_000);
  afterAll(async () => {
    await api?.close();
    await s3?.close();
  });

  it('keeps one principal enough with approvals 1 (no policy): a promote moves the champion at once (200)', async () => {
    const r = await promote('olga', v2);
    expect(r.status).toBe(200);
    expect(r.json.event).toMatchObject({ from: v1, to: v2, actor: 'olga (operator, api key)' });
    expect(await champion()).toBe(v2);
    expect((await call('vera', 'GET', '/model/approvals')).json.requests).toEqual([]);
  });

  it('with approvals 2, answers a promote of the champion with 202 and a pending change request, and moves nothing', async () => {
    const policy = await call('olga', 'PUT', '/model/policy', { approvals: 2, reason: 'four eyes on the champion' });
    expect(policy.status).toBe(200);
    const moves = await championMoves();
    const r = await promote('olga', v3);
    expect(r.status).toBe(202);
    const request = r.json.request;
    expect(request).toMatchObject({
      model: MODEL,
      alias: 'champion',
      from: v2,
      to: v3,
      origin: 'promote',
      reason: 'olga asks for ' + v3,
      requestedBy: { id: 'olga', actor: 'olga (operator, api key)' },
      approvals: 1,
      needed: 2,
      approvedBy: [],
      status: 'pending',
      preview: { differences: [], policy: null },
    });
    expect(Date.parse(request.expiresAt) - Date.parse(request.createdAt)).toBe(24 * 3_600_000);
    expect(await champion()).toBe(v2);
    expect(await championMoves()).toBe(moves);
    // A viewer reads it, alone and in the list.
    expect((await call('vera', 'GET', `/model/approvals/${request.id}`)).json.request).toMatchObject({
      id: request.id,
      status: 'pending',
    });
    expect((await call('vera', 'GET', '/model/approvals')).json.requests.map((q: Json) => q.id)).toEqual([request.id]);
    expect(await approvalSteps(request.id)).toEqual([{ action: 'requested', actor: 'olga (operator, api key)' }]);
    // The requester withdraws it (an operator may withdraw their own).
    const withdrawn = await call('olga', 'POST', `/model/approvals/${request.id}/reject`, { reason: 'wrong version' });
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.json.request).toMatchObject({
      status: 'withdrawn',
      decidedBy: { id: 'olga' },
      outcome: { problem: 'wrong version' },
    });
  });

  it('refuses the requester approving their own request with 403 saying why, and counts nothing', async () => {
    const { json } = await promote('alice', v3);
    const r = await approve('alice', json.request.id);
    expect(r.status).toBe(403);
    expect(r.json.error.message).toBe(
      `alice filed change request ${json.request.id}: four eyes needs another principal to approve it`,
    );
    expect((await call('vera', 'GET', `/model/approvals/${json.request.id}`)).json.request).toMatchObject({
      status: 'pending',
      approvals: 1,
      approvedBy: [],
    });
    expect(
      (await call('bob', 'POST', `/model/approvals/${json.request.id}/reject`, { reason: 'not today' })).json.request
        .status,
    ).toBe('rejected');
  });

  it('refuses a legacy plain key both filing a champion move and approving one (403: four eyes needs named principals)', async () => {
    const filed = await promote('legacy', v3);
    expect(filed.status).toBe(403);
    expect(filed.json.error.message).toMatch(
      /^admin-key-1 is a legacy plain admin key, shared and not a person: four eyes needs named principals to file a champion move/,
    );
    const { json } = await promote('olga', v3);
    const r = await approve('legacy', json.request.id);
    expect(r.status).toBe(403);
    expect(r.json.error.message).toMatch(/^admin-key-1 is a legacy plain admin key.*to approve a champion move/);
    expect(await champion()).toBe(v2);
    await call('olga', 'POST', `/model/approvals/${json.request.id}/reject`);
  });

  it("moves the champion on a second principal's approval, and the move and the history name the requester and the approver", async () => {
    const { json } = await promote('olga', v3);
    const id = json.request.id;
    const moves = await championMoves();
    const r = await approve('bob', id);
    expect(r.status).toBe(200);
    expect(r.json.request).toMatchObject({
      status: 'done',
      approvals: 2,
      approvedBy: [{ principal: { id: 'bob' } }],
      outcome: { eventId: r.json.event.eventId },
    });
    expect(r.json.event).toMatchObject({
      from: v2,
      to: v3,
      actor: 'bob (approver, api key)',
      details: {
        approval: { requestId: id, requestedBy: 'olga (operator, api key)', approvedBy: ['bob (approver, api key)'] },
      },
    });
    expect(await champion()).toBe(v3);
    expect(await championMoves()).toBe(moves + 1);
    const history = (await call('vera', 'GET', '/model/history')).json.events;
    expect(history.find((e: Json) => e.eventId === r.json.event.eventId).details.approval).toEqual({
      requestId: id,
      requestedBy: 'olga (operator, api key)',
      approvedBy: ['bob (approver, api key)'],
    });
    expect(await approvalSteps(id)).toEqual([
      { action: 'requested', actor: 'olga (operator, api key)' },
      { action: 'approved', actor: 'bob (approver, api key)' },
    ]);
    // Once done it cannot be approved again.
    const late = await approve('carl', id);
    expect(late.status).toBe(409);
    expect(late.json.error.code).toBe('request_decided');
  });

  it('refuses an approver who lacks the role (an operator: 403) before looking at the request', async () => {
    const { json } = await promote('alice', v1);
    const r = await approve('olga', json.request.id);
    expect(r.status).toBe(403);
    expect(r.json.error.message).toBe('this route needs the approver role; olga has operator');
    await call('alice', 'POST', `/model/approvals/${json.request.id}/reject`);
  });

  it('refuses approving an expired request (409 request_expired) and shows it expired', async () => {
    const olga = { id: 'olga', name: 'olga', roles: ['operator' as const], via: 'api key' as const };
    const filed = await fileChangeRequest(
      registry,
      { model: MODEL, alias: 'champion', to: v1, reason: 'filed yesterday', force: false, origin: 'promote' },
      olga,
      { needed: 2, expiryHours: 24, now: new Date(Date.now() - 25 * 3_600_000) },
    );
    const r = await approve('bob', filed.id);
    expect(r.status).toBe(409);
    expect(r.json.error.code).toBe('request_expired');
    expect(r.json.error.message).toMatch(/expired at .* without its 2 approvals: file it again/);
    expect((await call('vera', 'GET', `/model/approvals/${filed.id}`)).json.request.status).toBe('expired');
    expect(await champion()).toBe(v3);
  });

  it('fails a request made stale by another move with 409, moves nothing, and keeps it recorded as failed', async () => {
    const { json } = await promote('olga', v1);
    // An incident: one step back stays one principal's (it restores a version that was approved).
    const back = await call('olga', 'POST', '/model/rollback', { alias: 'champion', reason: 'incident' });
    expect(back.status).toBe(200);
    expect(back.json.event).toMatchObject({ from: v3, to: v2 });
    const r = await approve('bob', json.request.id);
    expect(r.status).toBe(409);
    expect(r.json.error.message).toMatch(new RegExp(`points at ${v2}, not ${v3}: it moved meanwhile`));
    expect(await champion()).toBe(v2);
    expect((await call('vera', 'GET', `/model/approvals/${json.request.id}`)).json.request).toMatchObject({
      status: 'failed',
      outcome: { problem: expect.stringMatching(/moved meanwhile/) },
    });
    expect((await approvalSteps(json.request.id)).map((s) => s.action)).toEqual(['requested', 'approved', 'failed']);
  });

  it('makes exactly one move when two approvers approve at once: one answers the move, the other that it was done', async () => {
    const { json } = await promote('olga', v3);
    const id = json.request.id;
    const moves = await championMoves();
    const answers = await Promise.all([approve('bob', id), approve('carl', id)]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
    const loser = answers.find((a) => a.status === 409)!;
    expect(loser.json.error.code).toBe('request_decided');
    expect(loser.json.error.message).toMatch(/was approved by (bob|carl)/);
    expect(await championMoves()).toBe(moves + 1);
    expect(await champion()).toBe(v3);
    const stored = (await call('vera', 'GET', `/model/approvals/${id}`)).json.request;
    expect(stored).toMatchObject({ status: 'done', approvals: 2 });
    expect(stored.approvedBy).toHaveLength(1);
  });

  it('files a request for a rollback to a given version (202), and refuses a canary that would end in a champion move (409 approval_required)', async () => {
    const r = await call('olga', 'POST', '/model/rollback', {
      alias: 'champion',
      version: v1,
      reason: 'back to the first',
    });
    expect(r.status).toBe(202);
    expect(r.json.request).toMatchObject({ origin: 'rollback', from: v3, to: v1, status: 'pending' });
    expect(await champion()).toBe(v3);
    await registry.moveAlias(MODEL, 'challenger', v1, { reason: 'candidate', actor: 'test' });
    const canary = await call('olga', 'PUT', '/model/traffic', {
      mode: 'canary',
      champion: 'champion',
      challenger: 'challenger',
    });
    expect(canary.status).toBe(409);
    expect(canary.json.error.code).toBe('approval_required');
    expect(canary.json.error.message).toMatch(
      /needs 2 principals for a champion move, and a canary of "challenger" moves champion to its version at its last step/,
    );
    // A shadow changes no answer: one principal's.
    expect(
      (await call('olga', 'PUT', '/model/traffic', { mode: 'shadow', champion: 'champion', challenger: 'challenger' }))
        .status,
    ).toBe(200);
  });

  it("turns a retrain job's promote decision into a change request in its requester's name, and files nothing for a legacy key's job", async () => {
    const job = { jobId: 'job-1', model: MODEL, alias: 'champion' };
    const named = await requestRetrainPromotion(
      registry,
      { ...job, requestedBy: 'olga (operator, api key)' },
      v2,
      'promote requested',
      { needed: 2, expiryHours: 24 },
    );
    const id = /change request (\S+) filed for olga: waiting for 1 more approval\(s\)$/.exec(named)?.[1];
    expect(id, named).toBeDefined();
    expect((await call('vera', 'GET', `/model/approvals/${id}`)).json.request).toMatchObject({
      origin: 'retrain',
      requestedBy: { id: 'olga' },
      to: v2,
      reason: 'retrain job job-1: promote requested',
      status: 'pending',
    });
    const before = (await call('vera', 'GET', '/model/approvals?limit=200')).json.requests.length;
    const legacy = await requestRetrainPromotion(
      registry,
      { ...job, requestedBy: 'admin-key-1 (approver, legacy api key)' },
      v2,
      'promote requested',
      { needed: 2, expiryHours: 24 },
    );
    expect(legacy).toMatch(
      /registered, not promoted: the promotion policy needs 2 principals .* is not a named principal/,
    );
    expect((await call('vera', 'GET', '/model/approvals?limit=200')).json.requests.length).toBe(before);
    expect(await champion()).toBe(v3);
  });

  it('pages the requests newest first with next', async () => {
    const first = (await call('vera', 'GET', '/model/approvals?limit=2')).json;
    expect(first.requests).toHaveLength(2);
    expect(first.requests[0].id > first.requests[1].id).toBe(true);
    const second = (await call('vera', 'GET', `/model/approvals?limit=2&before=${first.next}`)).json;
    expect(second.requests[0].id < first.requests[1].id).toBe(true);
  });
});
