/**
 * A canary in force: its plan with the current step marked, and the controller's latest
 * evaluation of the step as a table in words and units (rates in %, latencies in ms, counts),
 * each measure beside the bound it is judged by, the decision and its reasons in words. The
 * numbers and bounds are those of lib/release/canary-decision.ts and traffic-policy.ts.
 */
import { api } from '../api.ts';
import { html } from '../html.ts';
import { usePoll } from '../poll.ts';
import { ErrorNote, percent, when } from '../ui.ts';
import type { PolicyShape } from '../policy-text.ts';

/** A canary's plan, its current step marked. */
export function CanaryProgress({ policy }: { policy: PolicyShape & { stepMinutes?: number } }) {
  const steps = policy.steps ?? [];
  const step = policy.step ?? 0;
  return html`<div class="canary">
    <p>Canary: ${policy.challenger} against ${policy.champion}, step ${step + 1} of ${steps.length}, at least ${policy.stepMinutes} min a step.</p>
    <ol class="steps">${steps.map((s, i) => html`<li class=${i < step ? 'done' : i === step ? 'current' : ''}>${s}%</li>`)}</ol>
  </div>`;
}

type Numbers = Record<string, number | null | undefined>;

interface CanaryStatus {
  canary: {
    revision: number;
    share: number;
    stepSince: string;
    stepMinutes: number;
    bounds: Numbers;
    evaluation: { at: string; action: string; reasons: string[]; numbers: Numbers } | null;
  } | null;
}

/** What each action of the controller does, in words. */
const ACTIONS: Record<string, string> = {
  hold: 'hold: stay on this step',
  advance: 'advance to the next step',
  promote: 'promote the challenger to champion',
  rollback: 'roll back: all traffic to the champion',
};

const missing = (v: number | null | undefined): v is null | undefined =>
  v === null || v === undefined || Number.isNaN(v);
const count = (v: number | null | undefined): string => (missing(v) ? '-' : String(Math.round(v)));
const ms = (v: number | null | undefined): string => (missing(v) ? '-' : `${v.toFixed(1)} ms`);
const decimal = (v: number | null | undefined, digits = 3): string => (missing(v) ? '-' : v.toFixed(digits));
const pValue = (v: number | null | undefined): string => (missing(v) ? '-' : `p = ${v.toPrecision(2)}`);

/** The table's rows: measure, champion, challenger, the bound in words. */
function rows(n: Numbers, b: Numbers): [string, string, string, string][] {
  const samples = (v: number | null | undefined): string => (missing(v) ? '' : ` (${count(v)} samples)`);
  return [
    [
      'Requests on this step',
      count(n.championRequests),
      count(n.challengerRequests),
      `judged once the challenger has served ${count(b.minRequests)}`,
    ],
    [
      'Error rate',
      percent(n.championErrorRate),
      percent(n.challengerErrorRate),
      `challenger at most ${percent(b.maxErrorRate)}`,
    ],
    [
      'p99 latency',
      `${ms(n.championP99Ms)}${samples(n.championLatencySamples)}`,
      `${ms(n.challengerP99Ms)}${samples(n.challengerLatencySamples)}`,
      `challenger at most ${missing(n.latencyLimitMs) ? '' : `${ms(n.latencyLimitMs)}: `}${decimal(b.latencyRatio, 1)} x the champion's, and never less than ${ms(b.latencyFloorMs)}`,
    ],
    [
      'Predicted-class shift (total variation)',
      '',
      `${percent(n.classShift)}${missing(n.classShiftPValue) ? '' : `, chi-square ${pValue(n.classShiftPValue)}`}`,
      `at most ${percent(b.maxClassShift)}, or not significant at ${decimal(b.alpha, 2)}`,
    ],
    [
      'Labelled answers',
      count(n.championLabelled),
      count(n.challengerLabelled),
      `quality judged from ${count(b.minLabelled)} each`,
    ],
    [
      'Macro F1',
      decimal(n.championF1),
      decimal(n.challengerF1),
      `challenger at most ${decimal(b.maxF1Drop, 3)} below the champion${missing(n.f1Drop) ? '' : ` (now ${decimal(n.f1Drop)} below)`}`,
    ],
    [
      'Accuracy difference',
      '',
      missing(n.accuracyPValue) ? '-' : `two-proportion z-test ${pValue(n.accuracyPValue)}`,
      `counts only when significant at ${decimal(b.alpha, 2)}`,
    ],
  ];
}

/** The step's time so far, the controller's latest numbers for it, and the bounds they are judged by. */
export function CanaryNumbers({ revision, refresh }: { revision: number | null; refresh: number }) {
  const { data, error } = usePoll(() => api<CanaryStatus>('model/canary'), 10_000, [revision, refresh]);
  const canary = data?.canary;
  if (error) return html`<${ErrorNote} error=${error} />`;
  if (!canary) return null;
  const minutes = (Date.now() - Date.parse(canary.stepSince)) / 60_000;
  const evaluation = canary.evaluation;
  return html`<div class="canary-numbers">
    <p>This step (${canary.share}% to the challenger) began ${when(canary.stepSince)}: ${minutes.toFixed(1)} of at least ${canary.stepMinutes} min.</p>
    ${
      evaluation
        ? html`<p class="decision">Latest evaluation ${when(evaluation.at)}: <strong>${ACTIONS[evaluation.action] ?? evaluation.action}</strong>${evaluation.reasons.length ? html`, because ${evaluation.reasons.join('; ')}` : null}.</p>`
        : html`<p>Not evaluated in this step yet (the controller runs every minute, or press "Run the canary check").</p>`
    }
    <div class="scroll"><table class="numbers">
      <thead><tr><th>measure</th><th>champion</th><th>challenger</th><th>bound</th></tr></thead>
      <tbody>${rows(evaluation?.numbers ?? {}, canary.bounds).map(([measure, champion, challenger, bound]) => html`<tr><th scope="row">${measure}</th><td class="num">${champion}</td><td class="num">${challenger}</td><td>${bound}</td></tr>`)}</tbody>
    </table></div>
  </div>`;
}
