/**
 * Traffic policies as the page reads them from the API (GET /model/traffic, history events):
 * the variant names a policy routes to, and the policy in words. The names are the ones
 * lib/release/traffic-policy.ts resolvePolicy gives its routes (test/console-policy-text.test.ts
 * checks them against it, mode by mode): that module loads zod, too big for the page's bundle.
 */

/** The stored policy's shape, loosely: a page must not break on a mode it does not know. */
export interface PolicyShape {
  mode: string;
  alias?: string;
  variants?: { name: string; alias: string; weight: number }[];
  champion?: string;
  challenger?: string;
  steps?: number[];
  step?: number;
  blue?: string;
  green?: string;
  active?: string;
  sample?: number;
}

/** The variant names the policy's routes carry, in route order (the A/B report's a and b are the first two). */
export function routedVariants(policy: PolicyShape): string[] {
  switch (policy.mode) {
    case 'single':
      return ['default'];
    case 'ab':
      return (policy.variants ?? []).map((v) => v.name);
    case 'canary':
      return ['champion', 'challenger'];
    case 'bluegreen':
      return policy.active ? [policy.active] : [];
    case 'shadow':
      return ['champion'];
    default:
      return [];
  }
}

/** The challenger's share on the canary's current step, in percent. */
export function canaryShare(policy: PolicyShape): number | null {
  const steps = policy.steps ?? [];
  return steps.length ? steps[Math.min(policy.step ?? 0, steps.length - 1)] : null;
}

/** An alias with the version it pointed at then, when known: "challenger (v2)". */
export type AliasLabel = (alias: string) => string;

/** The policy in words, e.g. "canary 25% to challenger (v2)", "A/B a 70% to champion (v1), b 30% to challenger (v2)". */
export function policyText(policy: PolicyShape | null | undefined, label: AliasLabel): string {
  if (!policy) return 'none';
  switch (policy.mode) {
    case 'single':
      return `all to ${label(policy.alias ?? '?')}`;
    case 'ab':
      return `A/B ${(policy.variants ?? []).map((v) => `${v.name} ${v.weight}% to ${label(v.alias)}`).join(', ')}`;
    case 'canary':
      return `canary ${canaryShare(policy) ?? '?'}% to ${label(policy.challenger ?? '?')}`;
    case 'bluegreen': {
      const active = policy.active === 'green' ? policy.green : policy.blue;
      return `blue-green, ${policy.active ?? '?'} active: ${label(active ?? '?')}`;
    }
    case 'shadow':
      return `shadow: ${label(policy.champion ?? '?')} answers, ${label(policy.challenger ?? '?')} scores ${policy.sample ?? 100}% beside it`;
    default:
      return policy.mode;
  }
}

/**
 * A traffic change in words. A canary step over the same aliases names the share before and
 * after ("canary 10% -> 25% to challenger (v2)"); any other change names both policies.
 */
export function trafficChangeText(from: PolicyShape | null | undefined, to: PolicyShape, label: AliasLabel): string {
  if (
    from?.mode === 'canary' &&
    to.mode === 'canary' &&
    from.champion === to.champion &&
    from.challenger === to.challenger
  ) {
    return `canary ${canaryShare(from) ?? '?'}% -> ${canaryShare(to) ?? '?'}% to ${label(to.challenger ?? '?')}`;
  }
  return from ? `${policyText(from, label)} -> ${policyText(to, label)}` : `set to ${policyText(to, label)}`;
}
