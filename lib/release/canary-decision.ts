/**
 * The canary's decision for its current step, from the window since the step began: roll back
 * at once on any breach of the bounds; advance (or, on the last step, promote) once the
 * challenger has served enough requests for long enough within bounds; otherwise hold.
 */
import type { CanaryPolicy } from './traffic-policy.ts';
import { classShift, type VariantStats } from './variant-stats.ts';

export type CanaryAction = 'hold' | 'advance' | 'promote' | 'rollback';

export interface CanaryDecision {
  action: CanaryAction;
  reasons: string[];
  /** The numbers behind the decision, recorded in the history. */
  numbers: Record<string, number | null>;
}

export function decideCanary(policy: CanaryPolicy, stats: VariantStats[], stepStartedAt: number, now: number): CanaryDecision {
  const champion = stats.find((s) => s.variant === 'champion');
  const challenger = stats.find((s) => s.variant === 'challenger');
  const b = policy.bounds;
  const shift = champion && challenger && champion.requests > 0 ? classShift(champion.classShares, challenger.classShares) : null;
  const f1Drop = champion?.f1Macro != null && challenger?.f1Macro != null ? champion.f1Macro - challenger.f1Macro : null;
  const numbers = {
    step: policy.step,
    share: policy.steps[policy.step],
    minutesOnStep: (now - stepStartedAt) / 60_000,
    challengerRequests: challenger?.requests ?? 0,
    challengerErrorRate: challenger?.errorRate ?? null,
    challengerP99Ms: challenger?.p99Ms ?? null,
    championErrorRate: champion?.errorRate ?? null,
    classShift: shift,
    challengerF1: challenger?.f1Macro ?? null,
    championF1: champion?.f1Macro ?? null,
    f1Drop,
  };
  if (!challenger || challenger.requests === 0) return { action: 'hold', reasons: ['the challenger has served no request on this step yet'], numbers };
  const breaches: string[] = [];
  if (challenger.errorRate > b.maxErrorRate) breaches.push(`error rate ${(challenger.errorRate * 100).toFixed(2)}% > ${(b.maxErrorRate * 100).toFixed(2)}%`);
  if (challenger.p99Ms > b.maxP99Ms) breaches.push(`p99 latency ${challenger.p99Ms.toFixed(2)} ms > ${b.maxP99Ms} ms`);
  // Distribution and quality judgements need a full sample; errors and latency do not.
  const judged = challenger.requests >= b.minRequests;
  if (judged && shift !== null && shift > b.maxClassShift) breaches.push(`predicted-class shift ${shift.toFixed(3)} > ${b.maxClassShift}`);
  if (judged && f1Drop !== null && f1Drop > b.maxF1Drop) breaches.push(`macro F1 ${challenger.f1Macro!.toFixed(4)} is ${f1Drop.toFixed(4)} below the champion's (allowed ${b.maxF1Drop})`);
  if (breaches.length) return { action: 'rollback', reasons: breaches, numbers };
  if (!judged) return { action: 'hold', reasons: [`${challenger.requests} of ${b.minRequests} requests needed on this step`], numbers };
  if (now - stepStartedAt < policy.stepMinutes * 60_000) return { action: 'hold', reasons: [`${numbers.minutesOnStep.toFixed(1)} of ${policy.stepMinutes} minutes on this step`], numbers };
  const last = policy.step >= policy.steps.length - 1;
  return { action: last ? 'promote' : 'advance', reasons: ['within bounds'], numbers };
}
