/**
 * The canary's decision for its current step, from the window since the step began.
 *
 *   errors    roll back at once when the challenger's error rate exceeds the bound;
 *   latency   one sample per request (none for a request that waited for a model load); with
 *             at least 100 challenger samples (a p99 of fewer is their maximum), roll back when
 *             the challenger's p99 exceeds `latencyRatio` x the champion's p99 over the same step,
 *             and `latencyFloorMs` (without champion samples, as on the 100 % step, the floor alone);
 *   classes   roll back when the predicted-class distributions differ by more than
 *             `maxClassShift` (total variation) AND a chi-square test of homogeneity of the
 *             counts rejects "same distribution" at `alpha`;
 *   quality   with `minLabelled` labelled answers per variant, roll back when the challenger's
 *             macro F1 is more than `maxF1Drop` below the champion's AND the A/B report's
 *             two-proportion z-test finds its accuracy lower at `alpha`;
 * then advance (or, on the last step, promote) once the challenger has served `minRequests`
 * for `stepMinutes` within bounds; otherwise hold. Differences a test cannot tell from noise
 * never roll a release back.
 */
import { chiSquareHomogeneity } from '../drift/statistics.ts';
import { twoProportionZTest } from '../evaluation/significance.ts';
import type { CanaryPolicy } from './traffic-policy.ts';
import { classShift, type VariantStats } from '../monitoring/variant-stats.ts';

export type CanaryAction = 'hold' | 'advance' | 'promote' | 'rollback';

export interface CanaryDecision {
  action: CanaryAction;
  reasons: string[];
  /** The numbers behind the decision, recorded with it. */
  numbers: Record<string, number | null>;
}

/** Fewer latency samples than this make the p99 their maximum: one slow request would decide. */
export const MIN_LATENCY_SAMPLES = 100;

export function decideCanary(
  policy: CanaryPolicy,
  stats: VariantStats[],
  stepStartedAt: number,
  now: number,
): CanaryDecision {
  const champion = stats.find((s) => s.variant === 'champion');
  const challenger = stats.find((s) => s.variant === 'challenger');
  const b = policy.bounds;
  const judged = (challenger?.requests ?? 0) >= b.minRequests;

  const latencyLimit = champion?.latencySamples
    ? Math.max(b.latencyFloorMs, b.latencyRatio * champion.p99Ms)
    : b.latencyFloorMs;
  const classes = champion && challenger ? Object.keys({ ...champion.classCounts, ...challenger.classCounts }) : [];
  const answered = (s: VariantStats | undefined): number => (s ? s.requests - s.errors : 0);
  const classTest =
    answered(champion) > 0 && answered(challenger) > 0
      ? chiSquareHomogeneity(
          classes.map((k) => champion!.classCounts[k] ?? 0),
          classes.map((k) => challenger!.classCounts[k] ?? 0),
        )
      : null;
  const shift = classTest ? classShift(champion!.classShares, challenger!.classShares) : null;
  const labelled = champion && challenger && champion.labelled >= b.minLabelled && challenger.labelled >= b.minLabelled;
  const accuracyTest = labelled
    ? twoProportionZTest(champion.correct, champion.labelled, challenger.correct, challenger.labelled)
    : null;
  const f1Drop =
    labelled && champion.f1Macro !== null && challenger.f1Macro !== null ? champion.f1Macro - challenger.f1Macro : null;

  const numbers = {
    step: policy.step,
    share: policy.steps[policy.step],
    minutesOnStep: (now - stepStartedAt) / 60_000,
    challengerRequests: challenger?.requests ?? 0,
    championRequests: champion?.requests ?? 0,
    challengerErrorRate: challenger?.errorRate ?? null,
    championErrorRate: champion?.errorRate ?? null,
    challengerLatencySamples: challenger?.latencySamples ?? 0,
    championLatencySamples: champion?.latencySamples ?? 0,
    challengerP99Ms: challenger?.latencySamples ? challenger.p99Ms : null,
    championP99Ms: champion?.latencySamples ? champion.p99Ms : null,
    latencyLimitMs: latencyLimit,
    classShift: shift,
    classShiftPValue: classTest?.pValue ?? null,
    challengerLabelled: challenger?.labelled ?? 0,
    championLabelled: champion?.labelled ?? 0,
    challengerF1: challenger?.f1Macro ?? null,
    championF1: champion?.f1Macro ?? null,
    f1Drop,
    accuracyPValue: accuracyTest?.pValue ?? null,
  };
  if (!challenger || challenger.requests === 0)
    return { action: 'hold', reasons: ['the challenger has served no request on this step yet'], numbers };

  const breaches: string[] = [];
  if (challenger.errorRate > b.maxErrorRate)
    breaches.push(`error rate ${(challenger.errorRate * 100).toFixed(2)}% > ${(b.maxErrorRate * 100).toFixed(2)}%`);
  if (judged && challenger.latencySamples >= MIN_LATENCY_SAMPLES && challenger.p99Ms > latencyLimit) {
    const against = champion?.latencySamples
      ? `${b.latencyRatio} x the champion's ${champion.p99Ms.toFixed(2)} ms, floor ${b.latencyFloorMs} ms`
      : `the floor; the champion served no request on this step`;
    breaches.push(`p99 latency ${challenger.p99Ms.toFixed(2)} ms > ${latencyLimit.toFixed(2)} ms (${against})`);
  }
  if (judged && shift !== null && classTest && shift > b.maxClassShift && classTest.pValue < b.alpha) {
    breaches.push(
      `predicted-class shift ${shift.toFixed(3)} > ${b.maxClassShift}, chi-square p = ${classTest.pValue.toPrecision(3)} < ${b.alpha}`,
    );
  }
  if (
    f1Drop !== null &&
    accuracyTest?.pValue != null &&
    f1Drop > b.maxF1Drop &&
    accuracyTest.difference < 0 &&
    accuracyTest.pValue < b.alpha
  ) {
    breaches.push(
      `macro F1 ${challenger.f1Macro!.toFixed(4)} is ${f1Drop.toFixed(4)} below the champion's (allowed ${b.maxF1Drop}), accuracy lower with p = ${accuracyTest.pValue.toPrecision(3)} < ${b.alpha}`,
    );
  }
  if (breaches.length) return { action: 'rollback', reasons: breaches, numbers };
  if (!judged)
    return {
      action: 'hold',
      reasons: [`${challenger.requests} of ${b.minRequests} requests needed on this step`],
      numbers,
    };
  if (now - stepStartedAt < policy.stepMinutes * 60_000)
    return {
      action: 'hold',
      reasons: [`${numbers.minutesOnStep.toFixed(1)} of ${policy.stepMinutes} minutes on this step`],
      numbers,
    };
  const last = policy.step >= policy.steps.length - 1;
  return { action: last ? 'promote' : 'advance', reasons: ['within bounds'], numbers };
}
