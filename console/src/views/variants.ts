/**
 * Variants: what each variant of the traffic policy answered in the window (requests, errors,
 * p50/p99 latency, class shares; accuracy and macro F1 where feedback came), the A/B test's
 * p-value, latency over time as a chart, and the shadow's agreement with its confusion table.
 */
import { useMemo, useState } from 'preact/hooks';
import { api } from '../api.ts';
import { html } from '../html.ts';
import { usePoll } from '../poll.ts';
import { ErrorNote, Loading, NeedsKey, number, percent, Section } from '../ui.ts';
import { useAdmin } from './actions.ts';
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
  accuracy: number | null;
  f1Macro: number | null;
}

interface Report {
  variants: VariantStats[];
  series: Record<string, { start: number; requests: number; errors: number; p50Ms: number | null; p99Ms: number | null }[]>;
  comparison: { a: string; b: string; accuracy: { pValue: number | null; difference: number; note?: string }; f1MacroDifference: number | null } | null;
  shadow: { compared: number; agreementRate: number; confusion: Record<string, Record<string, number>> } | null;
}

const WINDOWS = [15, 60, 360, 1440];

export function VariantsView() {
  const admin = useAdmin();
  const [minutes, setMinutes] = useState(60);
  const { data, error } = usePoll(() => api<Report>(`model/report?minutes=${minutes}`), 15_000, [minutes], admin);
  const chart = useMemo(() => {
    if (!data) return null;
    const names = Object.keys(data.series);
    const times = names.length ? data.series[names[0]].map((b) => b.start) : [];
    const lines: Line[] = names.flatMap((n) => [
      { label: `${n} p50`, values: data.series[n].map((b) => b.p50Ms) },
      { label: `${n} p99`, values: data.series[n].map((b) => b.p99Ms), dashed: true },
    ]);
    return { times, lines };
  }, [data]);
  const classes = data ? [...new Set(data.variants.flatMap((v) => Object.keys(v.classShares)))].sort() : [];
  return html`<${Section} title="Variants">
    ${admin ? null : html`<${NeedsKey} what="the variants' numbers" />`}
    <label class="inline">Window <select name="minutes" value=${minutes} onChange=${(e: Event) => setMinutes(Number((e.target as HTMLSelectElement).value))}>
      ${WINDOWS.map((m) => html`<option value=${m}>${m < 60 ? `${m} min` : `${m / 60} h`}</option>`)}
    </select></label>
    <${ErrorNote} error=${error} />
    ${admin && !data && !error ? html`<${Loading} what="the report" />` : null}
    ${data
      ? html`<div class="scroll"><table class="variants">
            <thead><tr><th>variant</th><th>versions</th><th>requests</th><th>errors</th><th>p50 / p99 ms</th>${classes.map((c) => html`<th>${c}</th>`)}<th>labelled</th><th>accuracy</th><th>macro F1</th></tr></thead>
            <tbody>
              ${data.variants.map(
                (v) => html`<tr data-variant=${v.variant}>
                  <td>${v.variant}</td><td>${v.versions.join(', ')}</td><td class="num">${v.requests}</td><td class="num">${v.errors} (${percent(v.errorRate)})</td>
                  <td class="num">${number(v.p50Ms, 1)} / ${number(v.p99Ms, 1)}</td>${classes.map((c) => html`<td class="num">${percent(v.classShares[c])}</td>`)}
                  <td class="num">${v.labelled}</td><td class="num">${number(v.accuracy)}</td><td class="num">${number(v.f1Macro)}</td>
                </tr>`,
              )}
            </tbody>
          </table></div>
          ${data.variants.length === 0 ? html`<p>No answers captured in this window.</p>` : null}
          ${data.comparison
            ? html`<p class="comparison">A/B: accuracy ${data.comparison.b} minus ${data.comparison.a} ${number(data.comparison.accuracy.difference)}, p-value ${number(data.comparison.accuracy.pValue)}${data.comparison.accuracy.note ? ` (${data.comparison.accuracy.note})` : ''}; macro F1 difference ${number(data.comparison.f1MacroDifference)}.</p>`
            : null}
          ${chart && chart.times.length ? html`<${TimeChart} title="Latency over time" times=${chart.times} lines=${chart.lines} unit="ms" />` : null}
          ${data.shadow ? html`<${Shadow} shadow=${data.shadow} />` : null}`
      : null}
  <//>`;
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
