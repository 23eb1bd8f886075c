/**
 * Four eyes on traffic changes: under the policy's `approvals: N` (N >= 2) a traffic change that
 * can end in a champion move without a second principal is refused (409 approval_required):
 *   - a canary on a new challenger: at its last step the canary controller moves the champion
 *     alias to the challenger's version (lib/release/canary-check.ts);
 *   - a blue-green switch to an alias that was not serving: every answer then comes from it;
 *   - a single-alias policy on an alias other than the serving one (MODEL_ALIAS): the same.
 * The way to such a change is a change request on the champion (POST /model/promote). Weights of
 * an A/B test, a shadow, a canary's own steps and a return to the champion stay one principal's.
 * Checked inside the traffic change's compare-and-swap, on the policy it replaces.
 */
import type { ModelRegistry } from '../registry/model-registry.ts';
import { gatedAliases, type PromotionGate } from '../release/promotion-gate.ts';
import type { TrafficPolicy } from '../state/traffic-policy.ts';
import { conflictWith } from '../util/domain-error.ts';
import { approvalsNeeded } from './approval-flow.ts';

/** Why `after` cannot replace `before` by one principal, or null. */
export function trafficFourEyesProblem(
  before: TrafficPolicy | null,
  after: TrafficPolicy,
  servingAlias: string,
): string | null {
  if (after.mode === 'single')
    return after.alias === servingAlias
      ? null
      : `a single-alias policy on "${after.alias}" serves every answer from a version that is not the approved ${servingAlias}`;
  const handed = gatedAliases(before, after);
  if (!handed.length) return null;
  return after.mode === 'canary'
    ? `a canary of "${after.challenger}" moves ${servingAlias} to its version at its last step`
    : `a blue-green switch to "${handed[0]}" serves every answer from a version that is not the approved ${servingAlias}`;
}

/** The traffic change's gate with four eyes first: the promotion policy's own gate runs after it. */
export function fourEyesTrafficGate(
  registry: ModelRegistry,
  model: string,
  servingAlias: string,
  gate: PromotionGate['traffic'],
): PromotionGate['traffic'] {
  return async (before, after) => {
    const problem = trafficFourEyesProblem(before, after, servingAlias);
    if (problem) {
      const needed = await approvalsNeeded(registry, model, servingAlias, servingAlias);
      if (needed > 1) {
        throw conflictWith(
          `the promotion policy needs ${needed} principals for a champion move, and ${problem}: ask for the move through POST /model/promote (a change request another principal approves)`,
          'approval_required',
        );
      }
    }
    return gate(before, after);
  };
}
