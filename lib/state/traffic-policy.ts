/**
 * Traffic policies: how a model's requests are shared between its aliases. Stored with the
 * registry (models/{name}/traffic.json), validated on write, the same for every container.
 *   single     every request to one alias
 *   ab         variants with weights (percent, summing to 100)
 *   canary     champion + challenger, the challenger's share following a step schedule
 *   bluegreen  every request to the active colour; the other stays loaded for an instant switch
 *   shadow     the champion answers; the challenger scores the same request, never returned
 */
import { z } from 'zod';
import { NAME_PATTERN } from './layout.ts';

const alias = z.string().regex(NAME_PATTERN, 'an alias name');
const variantName = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,31}$/i, 'a variant name');

export const canaryBoundsSchema = z.strictObject({
  /** Highest challenger error rate (failed answers) a step may show; judged from the first request. */
  maxErrorRate: z.number().min(0).max(1).default(0.01),
  /**
   * Latency is one sample per request (a batch is one request). The challenger's p99 may be at
   * most this many times the champion's p99 over the same step...
   */
  latencyRatio: z.number().min(1).default(1.5),
  /** ...and a p99 at or under this many ms is never a breach (sub-millisecond noise is not a regression). */
  latencyFloorMs: z.number().positive().default(50),
  /** Total-variation distance between the two predicted-class distributions that counts as a shift... */
  maxClassShift: z.number().min(0).max(1).default(0.15),
  /** With feedback: how much lower the challenger's macro F1 may be than the champion's... */
  maxF1Drop: z.number().min(0).max(1).default(0.02),
  /**
   * ...and either counts only when a test at this level says it is not noise: chi-square
   * homogeneity of the class counts, and the A/B report's two-proportion z-test of accuracy.
   */
  alpha: z.number().gt(0).lt(1).default(0.05),
  /** Requests the challenger must have served in a step before latency, classes and quality are judged. */
  minRequests: z.number().int().positive().default(100),
  /** Labelled answers each variant needs in a step before quality is judged. */
  minLabelled: z.number().int().positive().default(30),
});

export const trafficPolicySchema = z.discriminatedUnion('mode', [
  z.strictObject({ mode: z.literal('single'), alias }),
  z.strictObject({
    mode: z.literal('ab'),
    variants: z
      .array(z.strictObject({ name: variantName, alias, weight: z.number().int().min(0).max(100) }))
      .min(2)
      .max(10),
  }),
  z.strictObject({
    mode: z.literal('canary'),
    champion: alias,
    challenger: alias,
    /** Challenger share per step, in percent, increasing, ending at 100. */
    steps: z.array(z.number().int().min(1).max(100)).min(1).default([5, 25, 50, 100]),
    /** The current step (index into steps); advanced by the canary controller. */
    step: z.number().int().min(0).default(0),
    /** Minimum time on a step before it may advance. */
    stepMinutes: z.number().positive().default(10),
    bounds: canaryBoundsSchema.default(canaryBoundsSchema.parse({})),
  }),
  z.strictObject({ mode: z.literal('bluegreen'), blue: alias, green: alias, active: z.enum(['blue', 'green']) }),
  z.strictObject({
    mode: z.literal('shadow'),
    champion: alias,
    challenger: alias,
    /** Share of requests the challenger also scores, in percent. */
    sample: z.number().int().min(1).max(100).default(100),
  }),
]);

export type TrafficPolicy = z.output<typeof trafficPolicySchema>;
export type CanaryPolicy = Extract<TrafficPolicy, { mode: 'canary' }>;

/** A share of traffic: the variant name reported to clients, the alias that serves it. */
export interface Route {
  variant: string;
  alias: string;
  /** Percent of requests. */
  weight: number;
}

export interface ResolvedPolicy {
  policy: TrafficPolicy;
  routes: Route[];
  /** Loaded and kept warm without being routed: blue-green's idle colour. */
  standby: string[];
  /** Scores requests in the background: shadow's challenger, with its sample percent. */
  shadow: { alias: string; sample: number } | null;
}

export function resolvePolicy(policy: TrafficPolicy): ResolvedPolicy {
  switch (policy.mode) {
    case 'single':
      return { policy, routes: [{ variant: 'default', alias: policy.alias, weight: 100 }], standby: [], shadow: null };
    case 'ab':
      return {
        policy,
        routes: policy.variants.map((v) => ({ variant: v.name, alias: v.alias, weight: v.weight })),
        standby: [],
        shadow: null,
      };
    case 'canary': {
      const share = policy.steps[Math.min(policy.step, policy.steps.length - 1)];
      return {
        policy,
        routes: [
          { variant: 'champion', alias: policy.champion, weight: 100 - share },
          { variant: 'challenger', alias: policy.challenger, weight: share },
        ],
        standby: [],
        shadow: null,
      };
    }
    case 'bluegreen': {
      const idle = policy.active === 'blue' ? 'green' : 'blue';
      return {
        policy,
        routes: [{ variant: policy.active, alias: policy[policy.active], weight: 100 }],
        standby: [policy[idle]],
        shadow: null,
      };
    }
    case 'shadow':
      return {
        policy,
        routes: [{ variant: 'champion', alias: policy.champion, weight: 100 }],
        standby: [],
        shadow: { alias: policy.challenger, sample: policy.sample },
      };
  }
}

/** Problems a policy has beyond its shape: weights, distinct names, increasing steps. */
export function policyProblems(policy: TrafficPolicy): { field: string; message: string }[] {
  const problems: { field: string; message: string }[] = [];
  if (policy.mode === 'ab') {
    const total = policy.variants.reduce((s, v) => s + v.weight, 0);
    if (total !== 100) problems.push({ field: 'variants', message: `weights sum to ${total}, not 100` });
    if (new Set(policy.variants.map((v) => v.name)).size !== policy.variants.length)
      problems.push({ field: 'variants', message: 'variant names must differ' });
  }
  if (policy.mode === 'canary') {
    if (policy.champion === policy.challenger)
      problems.push({ field: 'challenger', message: 'must differ from champion' });
    if (policy.steps.some((s, i) => i > 0 && s <= policy.steps[i - 1]))
      problems.push({ field: 'steps', message: 'must increase' });
    if (policy.steps[policy.steps.length - 1] !== 100) problems.push({ field: 'steps', message: 'must end at 100' });
    if (policy.step >= policy.steps.length)
      problems.push({ field: 'step', message: `must be below ${policy.steps.length}` });
  }
  if (policy.mode === 'shadow' && policy.champion === policy.challenger)
    problems.push({ field: 'challenger', message: 'must differ from champion' });
  if (policy.mode === 'bluegreen' && policy.blue === policy.green)
    problems.push({ field: 'green', message: 'must differ from blue' });
  return problems;
}

/** Every alias a policy needs loaded. */
export function policyAliases(resolved: ResolvedPolicy): string[] {
  return [
    ...new Set([
      ...resolved.routes.map((r) => r.alias),
      ...resolved.standby,
      ...(resolved.shadow ? [resolved.shadow.alias] : []),
    ]),
  ];
}
