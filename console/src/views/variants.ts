/**
 * Variants: what each variant of the traffic policy in force answered in the window (requests,
 * errors, p50/p99 latency, class shares; accuracy and macro F1 where feedback came), variants of
 * earlier policies behind a toggle, the labelled pairs' accuracy compared (a pair without labels
 * says so), latency over time as a chart, the shadow's agreement with its confusion table, and
 * per variant how its answers treat the groups of each sensitive column (the card's fairness table).
 */
import { useMemo, useState } from 'preact/hooks';
import { api } from '../api.ts';
import { html } from '../html.ts';
import type { HistoryEvent } from '../history-text.ts';
import { routedVariants, type PolicyShape } from '../policy-text.ts';
import { usePoll } from '../poll.ts';
import { ErrorNote, Loading, NeedsKey, number, percent, Section } from '../ui.ts';
import { comparePairs, pairsOf, type PairComparison } from '../variant-pairs.ts';
import { useAdmin } from './actions.ts';
import type { ServedFairnessReport } from '../../../lib/monitoring/group-fairness.ts';
import { FairnessTable } from './card.ts';
import { TimeChart, type Line } from './chart.ts';

interface VariantStats {
  variant: string;
  versions: string[];
  requests: number;
  errors: number;
  errorRate: number;
  p50Ms: number;
  p99Ms: number;
  classShares: Record<string, number>;
  labelled: number;
  correct: number;
  accuracy: number | null;
  f1Macro: number | null;
}

interface Report {
  policy: PolicyShape;
  variants: VariantStats[];
  series: Record<
    string,
    { start: number; requests: number; errors: number; p50Ms: number | null; p99Ms: number | null }[]
  >;
  shadow: { compared: number; agreementRate: number; confusion: Record<string, Record<string, number>> } | null;
  /** Absent from services older than the serving fairness report. */
  fairness?: { classes: string[]; variants: Record<string, ServedFairnessReport[]> };
}

const WINDOWS = [15, 60, 360, 1440];

/** The policies the history shows, newest first (the API answers oldest first). */
function earlierPolicies(events: HistoryEvent[]): PolicyShape[] {
  return events
    .filter((e) => e.kind === 'traffic')
    .reverse()
    .flatMap((e) => [e.to, e.from])
    .filter((p): p is PolicyShape => typeof p === 'object' && p !== null && 'mode' in p);
}

export function VariantsView() {
  const admin = useAdmin();
  const [minutes, setMinutes] = useState(60);
  const [showPast, setShowPast] = useState(false);
  const { data, error } = usePoll(() => api<Report>(`model/report?minutes=${minutes}`), 15_000, [minutes], admin);
  const history = usePoll(() => api<{ events: HistoryEvent[] }>('model/history?limit=100'), 15_000, [], admin);
  const current = useMemo(() => new Set(data ? routedVariants(data.policy) : []), [data]);
  const shown = data ? data.variants.filter((v) => showPast || current.has(v.variant)) : [];
  const pastCount = data ? data.variants.filter((v) => !current.has(v.variant)).length : 0;
  const chart = useMemo(() => {
    if (!data) return null;
    const names = Object.keys(data.series).filter((n) => showPast || current.has(n));
    const times = names.length ? data.series[names[0]].map((b) => b.start) : [];
    const lines: Line[] = names.flatMap((n) => [
      { label: `${n} p50`, values: data.series[n].map((b) => b.p50Ms) },
      { label: `${n} p99`, values: data.series[n].map((b) => b.p99Ms), dashed: true },
    ]);
    return { times, lines };
  }, [data, current, showPast]);
  const comparisons = data
    ? comparePairs(pairsOf(data.policy, earlierPolicies(history.data?.events ?? [])), data.variants)
    : [];
  // Labelled pairs are compared wherever they came from; a pair without labels is noted only when it is the present one (or the past is shown).
  const notes = comparisons
    .filter((c) => c.labelled || c.current || showPast)
    .sort((x, y) => Number(y.labelled) - Number(x.labelled));
  const classes = [...new Set(shown.flatMap((v) => Object.keys(v.classShares)))].sort();
  return html`<${Section} title="Variants">
    ${admin ? null : html`<${NeedsKey} what="the variants' numbers" />`}
    <label class="inline">Window <select name="minutes" value=${minutes} onChange=${(e: Event) => setMinutes(Number((e.target as HTMLSelectElement).value))}>
      ${WINDOWS.map((m) => html`<option value=${m}>${m < 60 ? `${m} min` : `${m / 60} h`}</option>`)}
    </select></label>
    <${ErrorNote} error=${error} />
    ${admin && !data && !error ? html`<${Loading} what="the report" />` : null}
    ${
      data
        ? html`<p class="in-force">Variants of the policy in force (${data.policy.mode}): ${[...current].join(', ') || 'none'}.</p>
          ${
            pastCount
              ? html`<label class="inline past-toggle"><input type="checkbox" name="show-past" checked=${showPast} onChange=${(e: Event) => setShowPast((e.target as HTMLInputElement).checked)} /> Show past variants (${pastCount} of earlier policies answered in this window)</label>`
              : null
          }
          <div class="scroll"><table class="variants">
            <thead><tr><th>variant</th><th>versions</th><th>requests</th><th>errors</th><th>p50 / p99 ms</th>${classes.map((c) => html`<th>${c}</th>`)}<th>labelled</th><th>accuracy</th><th>macro F1</th></tr></thead>
            <tbody>
              ${shown.map(
                (v) => html`<tr data-variant=${v.variant} class=${current.has(v.variant) ? 'present' : 'past'}>
                  <td>${v.variant}${current.has(v.variant) ? null : html` <span class="hint">(past policy)</span>`}</td><td>${v.versions.join(', ')}</td><td class="num">${v.requests}</td><td class="num">${v.errors} (${percent(v.errorRate)})</td>
                  <td class="num">${number(v.p50Ms, 1)} / ${number(v.p99Ms, 1)}</td>${classes.map((c) => html`<td class="num">${percent(v.classShares[c])}</td>`)}
                  <td class="num">${v.labelled}</td><td class="num">${number(v.accuracy)}</td><td class="num">${number(v.f1Macro)}</td>
                </tr>`,
              )}
            </tbody>
          </table></div>
          ${shown.length === 0 ? html`<p>No answers captured in this window from the variants of the policy in force.</p>` : null}
          ${notes.length ? html`<ul class="comparisons">${notes.map((c) => html`<${Comparison} comparison=${c} />`)}</ul>` : null}
          ${chart && chart.times.length ? html`<${TimeChart} title="Latency over time" times=${chart.times} lines=${chart.lines} unit="ms" />` : null}
          ${data.shadow ? html`<${Shadow} shadow=${data.shadow} />` : null}
          ${data.fairness ? html`<${ServedFairness} fairness=${data.fairness} shown=${shown.map((v) => v.variant)} />` : null}`
        : null
    }
  <//>`;
}

/** One pair's A/B line: accuracy and macro F1 of b against a with the test's p-value, or which side has no labels. */
function Comparison({ comparison: c }: { comparison: PairComparison }) {
  const which = c.current ? 'policy in force' : 'an earlier policy';
  const counts = `${c.statsA.labelled} and ${c.statsB.labelled} labelled answers`;
  if (!c.labelled) {
    const lacking = [c.statsA, c.statsB].filter((s) => s.labelled === 0).map((s) => s.variant);
    return html`<li class="comparison unlabelled" data-pair=${`${c.a}/${c.b}`}>A/B ${c.b} against ${c.a} (${which}): not compared, ${lacking.join(' and ')} ${lacking.length > 1 ? 'have' : 'has'} no labels in this window (${counts}); feedback on their answers makes the comparison.</li>`;
  }
  const signed = (v: number): string => `${v >= 0 ? '+' : ''}${(v * 100).toFixed(1)} points`;
  const test =
    c.accuracy.pValue === null
      ? c.accuracy.note
      : `p = ${c.accuracy.pValue.toPrecision(2)}, ${c.accuracy.significantAt5Percent ? 'significant' : 'not significant'} at 5%`;
  return html`<li class="comparison labelled" data-pair=${`${c.a}/${c.b}`}>A/B ${c.b} against ${c.a} (${which}), ${counts}: accuracy ${percent(c.statsB.accuracy)} against ${percent(c.statsA.accuracy)}, ${signed(c.accuracy.difference)} (${test}); macro F1 ${c.f1MacroDifference === null ? '-' : `${c.f1MacroDifference >= 0 ? '+' : ''}${c.f1MacroDifference.toFixed(3)}`}.</li>`;
}

function Shadow({ shadow }: { shadow: NonNullable<Report['shadow']> }) {
  const served = Object.keys(shadow.confusion).sort();
  const shadowed = [...new Set(Object.values(shadow.confusion).flatMap((row) => Object.keys(row)))].sort();
  return html`<div class="shadow">
    <h3>Shadow: ${percent(shadow.agreementRate)} agreement over ${shadow.compared} answers</h3>
    <table>
      <thead><tr><th>served \\ shadow</th>${shadowed.map((c) => html`<th>${c}</th>`)}</tr></thead>
      <tbody>${served.map((r) => html`<tr><th scope="row">${r}</th>${shadowed.map((c) => html`<td class="num">${shadow.confusion[r][c] ?? 0}</td>`)}</tr>`)}</tbody>
    </table>
  </div>`;
}

/**
 * Per variant shown, the fairness table of each sensitive column (the model card's), on served
 * answers: selection rates over every answer, recall over the labelled ones. AUC stays a CV
 * number (a label carries no score), so its column is empty here.
 */
function ServedFairness({ fairness, shown }: { fairness: NonNullable<Report['fairness']>; shown: string[] }) {
  const variants = shown.filter((v) => fairness.variants[v]?.length);
  if (!variants.length) return null;
  return html`<div class="served-fairness">
    <h3>Fairness on served answers</h3>
    ${variants.map((variant) =>
      fairness.variants[variant].map(
        (f) => html`<div data-variant=${variant}>
      <p class="hint">${variant}: ${f.answers.toLocaleString()} answers with a ${f.column} group, ${f.labelled.toLocaleString()} of them labelled (recall and the equalized odds difference rest on those; AUC is measured out of fold only).</p>
      <${FairnessTable} fairness=${f} classes=${fairness.classes} />
    </div>`,
      ),
    )}
  </div>`;
}
