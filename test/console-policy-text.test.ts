/**
 * The console's words for policies and history events (console/src/policy-text.ts,
 * history-text.ts): the variant names it expects of a policy are the ones the service routes
 * (resolvePolicy), and each kind of actor the service writes gets its name.
 */
import { describe, expect, it } from 'vitest';
import { actorName, aliasVersions, eventText, type HistoryEvent } from '../console/src/history-text.ts';
import { describePrincipal } from '../lib/auth/principal.ts';
import { routedVariants, trafficChangeText } from '../console/src/policy-text.ts';
import { resolvePolicy, trafficPolicySchema } from '../lib/release/traffic-policy.ts';

describe("the console's policy words", () => {
  it('expects, mode by mode, the variant names the service routes', () => {
    const policies = [
      { mode: 'single', alias: 'champion' },
      {
        mode: 'ab',
        variants: [
          { name: 'x', alias: 'champion', weight: 60 },
          { name: 'y', alias: 'challenger', weight: 30 },
          { name: 'z', alias: 'other', weight: 10 },
        ],
      },
      { mode: 'canary', champion: 'champion', challenger: 'challenger', step: 2 },
      { mode: 'bluegreen', blue: 'blue', green: 'green', active: 'green' },
      { mode: 'shadow', champion: 'champion', challenger: 'challenger' },
    ].map((p) => trafficPolicySchema.parse(p));
    // Every mode is covered: a new one fails here until the console knows its names.
    expect(new Set(policies.map((p) => p.mode))).toEqual(
      new Set(trafficPolicySchema.options.map((o) => o.shape.mode.value)),
    );
    for (const policy of policies)
      expect(routedVariants(policy)).toEqual(resolvePolicy(policy).routes.map((r) => r.variant));
  });

  it('names a canary step by its shares and the version its challenger pointed at', () => {
    const canary = { mode: 'canary', champion: 'champion', challenger: 'challenger', steps: [10, 25, 100] };
    expect(
      trafficChangeText({ ...canary, step: 0 }, { ...canary, step: 1 }, (a) => (a === 'challenger' ? 'v2' : a)),
    ).toBe('canary 10% -> 25% to v2');
    expect(trafficChangeText(null, { mode: 'single', alias: 'champion' }, (a) => a)).toBe('set to all to champion');
  });
});

describe("the console's history words", () => {
  const event = (e: Partial<HistoryEvent>): HistoryEvent => ({
    kind: 'alias',
    eventId: 'e',
    at: '2026-12-07T00:00:00Z',
    ...e,
  });

  it('names who made a change, never by a request id', () => {
    // The principal, as the admin routes record it (lib/http/actor.ts), by its display name.
    const alice = describePrincipal({ id: 'alice', name: 'alice', roles: ['operator'], via: 'api key' });
    expect(actorName(event({ actor: alice }))).toBe('alice');
    expect(
      actorName(
        event({
          actor: describePrincipal({ id: '00u1ab', name: 'Alice Smith', roles: ['viewer', 'approver'], via: 'oidc' }),
        }),
      ),
    ).toBe('Alice Smith');
    expect(actorName(event({ actor: alice, details: { job: 'job-9' } }))).toBe('retrain job job-9 for alice');
    // Events stored before principals keep their words.
    expect(actorName(event({ actor: 'admin-api 7f3c2a10-1b2c-4d5e-8f90-123456789abc' }))).toBe('admin API');
    expect(actorName(event({ actor: 'canary-controller' }))).toBe('canary controller');
    // A retrain job's moves carry its id in details; its traffic change only in the reason (lib/retrain/run-retrain-job.ts).
    expect(actorName(event({ actor: 'admin-api 10.0.0.1 7f3c2a10', details: { job: 'job-123', f1_macro: 0.7 } }))).toBe(
      'retrain job job-123',
    );
    expect(
      actorName(
        event({ kind: 'traffic', actor: 'admin-api 10.0.0.1 7f3c2a10', reason: 'retrain job job-123: canary of v2' }),
      ),
    ).toBe('retrain job job-123');
    expect(actorName(event({ actor: 'npm start' }))).toBe('npm start');
  });

  it("reads where an alias pointed at each event from the page's own moves", () => {
    const events: HistoryEvent[] = [
      event({ eventId: '1', kind: 'traffic' }),
      event({ eventId: '2', alias: 'challenger', from: 'v1', to: 'v2' }),
      event({ eventId: '3', kind: 'traffic' }),
      event({ eventId: '4', alias: 'challenger', from: 'v2', to: 'v3' }),
      event({ eventId: '5', kind: 'traffic' }),
    ];
    const at = aliasVersions(events);
    // Before its first move in the page: where that move took it from; after a move: where it went.
    expect([at('challenger', 0), at('challenger', 2), at('challenger', 4)]).toEqual(['v1', 'v2', 'v3']);
    expect(at('champion', 2)).toBeNull();
    expect(eventText(events[3], (a) => a)).toBe('alias challenger: v2 -> v3');
  });

  it('says a promotion policy change in words, by its revision, not as a traffic change', () => {
    expect(
      eventText(
        event({ kind: 'policy', revision: 3, from: { approvals: 1 }, to: { minAuc: 0.75, approvals: 1 } }),
        (a) => a,
      ),
    ).toBe('promotion policy: revision 3');
  });
});
