/**
 * The rules of four eyes that need no storage: which traffic changes can end in a champion move
 * (lib/governance/approval-traffic.ts), when a request reads as expired, and who may file or
 * approve one at all (lib/governance/approval-request.ts).
 */
import { describe, expect, it } from 'vitest';
import type { Principal } from '../lib/auth/principal.ts';
import { requireNamedPrincipal, statusAt, type ApprovalRequest } from '../lib/governance/approval-request.ts';
import { trafficFourEyesProblem } from '../lib/governance/approval-traffic.ts';
import { toHttpError } from '../lib/http/error-response.ts';
import { trafficPolicySchema, type TrafficPolicy } from '../lib/release/traffic-policy.ts';

const policy = (p: unknown): TrafficPolicy => trafficPolicySchema.parse(p);

describe('trafficFourEyesProblem', () => {
  const single = policy({ mode: 'single', alias: 'champion' });
  it('names a canary on a new challenger, a blue-green switch to a colour not serving, and a single alias other than the champion', () => {
    expect(
      trafficFourEyesProblem(
        single,
        policy({ mode: 'canary', champion: 'champion', challenger: 'challenger' }),
        'champion',
      ),
    ).toMatch(/canary of "challenger" moves champion/);
    const blue = policy({ mode: 'bluegreen', blue: 'champion', green: 'challenger', active: 'blue' });
    expect(
      trafficFourEyesProblem(
        blue,
        policy({ mode: 'bluegreen', blue: 'champion', green: 'challenger', active: 'green' }),
        'champion',
      ),
    ).toMatch(/blue-green switch to "challenger"/);
    expect(trafficFourEyesProblem(single, policy({ mode: 'single', alias: 'challenger' }), 'champion')).toMatch(
      /single-alias policy on "challenger"/,
    );
  });
  it('leaves alone what cannot end in a champion move: a canary step, blue-green on the serving alias, a shadow, an A/B split, a return to the champion', () => {
    const canary = policy({ mode: 'canary', champion: 'champion', challenger: 'challenger' });
    expect(
      trafficFourEyesProblem(
        canary,
        policy({ mode: 'canary', champion: 'champion', challenger: 'challenger', step: 1 }),
        'champion',
      ),
    ).toBeNull();
    expect(
      trafficFourEyesProblem(
        single,
        policy({ mode: 'bluegreen', blue: 'champion', green: 'challenger', active: 'blue' }),
        'champion',
      ),
    ).toBeNull();
    expect(
      trafficFourEyesProblem(
        single,
        policy({ mode: 'shadow', champion: 'champion', challenger: 'challenger' }),
        'champion',
      ),
    ).toBeNull();
    expect(
      trafficFourEyesProblem(
        single,
        policy({
          mode: 'ab',
          variants: [
            { name: 'a', alias: 'champion', weight: 90 },
            { name: 'b', alias: 'challenger', weight: 10 },
          ],
        }),
        'champion',
      ),
    ).toBeNull();
    expect(trafficFourEyesProblem(canary, single, 'champion')).toBeNull();
  });
});

describe('statusAt', () => {
  const request = { status: 'pending', expiresAt: '2026-12-07T12:00:00.000Z' } as ApprovalRequest;
  it('reads a pending request as expired from its expiresAt on, and never changes a decided one', () => {
    expect(statusAt(request, Date.parse('2026-12-07T11:59:59.999Z'))).toBe('pending');
    expect(statusAt(request, Date.parse('2026-12-07T12:00:00.000Z'))).toBe('expired');
    expect(statusAt({ ...request, status: 'done' }, Date.parse('2027-01-01T00:00:00Z'))).toBe('done');
  });
});

describe('requireNamedPrincipal', () => {
  const named: Principal = { id: 'alice', name: 'Alice', roles: ['approver'], via: 'oidc' };
  it('lets a named key or token through and refuses a legacy plain key with 403 naming why', () => {
    expect(requireNamedPrincipal(named, 'approve a champion move')).toBe(named);
    let refusal: Error | undefined;
    try {
      requireNamedPrincipal(
        { id: 'admin-key-2', name: 'admin-key-2', roles: ['viewer', 'operator', 'approver'], via: 'legacy api key' },
        'approve a champion move',
      );
    } catch (err) {
      refusal = err as Error;
    }
    // A domain refusal; its HTTP answer is lib/http/error-response.ts's.
    expect(refusal && toHttpError(refusal)).toEqual(
      expect.objectContaining({
        status: 403,
        message: expect.stringMatching(
          /^admin-key-2 is a legacy plain admin key, shared and not a person: four eyes needs named principals to approve a champion move/,
        ),
      }),
    );
  });
});
