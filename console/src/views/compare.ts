/**
 * Two versions side by side, as a model-risk reviewer compares a challenger with the champion:
 * their cross-validated metrics with the fold spread (a difference inside it is noise), their
 * gains curves, their contracts (the same comparison a promote is refused with), calibration,
 * fairness per sensitive column, and the training parameters that differ. `#/compare/A/B`; A or
 * B may be an alias the service serves (champion), read from /model/info.
 */
import { api } from '../api.ts';
import { html } from '../html.ts';
import { usePoll } from '../poll.ts';
import { diffContracts, type ComparedContract } from '../../../lib/registry/contract-diff.ts';
import { ErrorNote, Loading, number, Section } from '../ui.ts';

interface GainsRow {
  decile: number;
  cumulativeCapture: number;
}

interface Detail {
  version: string;
  classes: string[];
  contract: ComparedContract | null;
  params: { classifier?: Record<string, unknown>; sampler?: Record<string, unknown> } | null;
  metrics: {
    cv?: { f1_macro: number; f1_macro_std?: number; accuracy: number };
    ranking?: {
      roc_auc: number | null;
      roc_auc_std: number | null;
      gini: number | null;
      ks: number | null;
      ks_std: number | null;
      average_precision: number | null;
    };
    calibration?: { brier: number; log_loss: number; ece: number };
    calibrated?: { method: string };
    out_of_fold?: { gains: Record<string, GainsRow[]> };
    fairness?: {
      column: string;
      summary: {
        demographicParityRatio: number | null;
        equalizedOddsDifference: number | null;
        fourFifthsRule: string | null;
      };
    }[];
  } | null;
}

interface Info {
  aliases: { alias: string; version: string }[] | null;
}

interface Side {
  label: string;
  detail: Detail;
}

const VERSION_ID = /^\d{8}T\d{9}Z-/;

async function loadSides(a: string, b: string): Promise<[Side, Side]> {
  const needsAliases = !VERSION_ID.test(a) || !VERSION_ID.test(b);
  const info = needsAliases ? await api<Info>('model/info') : null;
  const resolve = (ref: string): { label: string; version: string } => {
    if (VERSION_ID.test(ref)) return { label: ref, version: ref };
    const found = info?.aliases?.find((x) => x.alias === ref);
    if (!found) throw new Error(`"${ref}" is neither a version nor an alias this service serves`);
    return { label: `${ref} (${found.version})`, version: found.version };
  };
  const [ra, rb] = [resolve(a), resolve(b)];
  const [da, db] = await Promise.all(
    [ra, rb].map((r) => api<Detail>(`model/versions/${encodeURIComponent(r.version)}`)),
  );
  return [
    { label: ra.label, detail: da },
    { label: rb.label, detail: db },
  ];
}

export function CompareView({ a, b }: { a: string; b: string }) {
  const { data, error } = usePoll(() => loadSides(a, b), null, [a, b]);
  return html`<${Section} title="Two versions side by side">
    <${ErrorNote} error=${error} />
    ${!data && !error ? html`<${Loading} what="both versions" />` : null}
    ${data ? html`<${Comparison} sides=${data} />` : null}
  <//>`;
}

interface MetricRow {
  name: string;
  value: (d: Detail) => number | null | undefined;
  spread?: (d: Detail) => number | null | undefined;
}

const METRICS: MetricRow[] = [
  { name: 'macro F1', value: (d) => d.metrics?.cv?.f1_macro, spread: (d) => d.metrics?.cv?.f1_macro_std },
  { name: 'accuracy', value: (d) => d.metrics?.cv?.accuracy },
  { name: 'ROC AUC', value: (d) => d.metrics?.ranking?.roc_auc, spread: (d) => d.metrics?.ranking?.roc_auc_std },
  { name: 'Gini', value: (d) => d.metrics?.ranking?.gini },
  { name: 'KS', value: (d) => d.metrics?.ranking?.ks, spread: (d) => d.metrics?.ranking?.ks_std },
  { name: 'average precision', value: (d) => d.metrics?.ranking?.average_precision },
  { name: 'Brier score', value: (d) => d.metrics?.calibration?.brier },
  { name: 'ECE', value: (d) => d.metrics?.calibration?.ece },
];

function Comparison({ sides }: { sides: [Side, Side] }) {
  const [A, B] = sides;
  const with_ = (v: number | null | undefined, s: number | null | undefined): string =>
    s === null || s === undefined ? number(v) : `${number(v)} ± ${number(s)}`;
  const differences =
    A.detail.contract && B.detail.contract
      ? diffContracts({ label: A.label, contract: A.detail.contract }, { label: B.label, contract: B.detail.contract })
      : null;
  const params = paramDifferences(A.detail, B.detail);
  const fairnessColumns = [
    ...new Set([...(A.detail.metrics?.fairness ?? []), ...(B.detail.metrics?.fairness ?? [])].map((f) => f.column)),
  ];
  return html`<div class="compare">
    <table class="compare-metrics">
      <thead><tr><th>cross-validated</th><th>${A.label}</th><th>${B.label}</th><th>difference</th><th></th></tr></thead>
      <tbody>
        ${METRICS.map((m) => {
          const [va, vb] = [m.value(A.detail), m.value(B.detail)];
          const diff = va !== null && va !== undefined && vb !== null && vb !== undefined ? vb - va : null;
          const noise = Math.max(m.spread?.(A.detail) ?? 0, m.spread?.(B.detail) ?? 0);
          return html`<tr data-metric=${m.name}>
            <th scope="row">${m.name}</th>
            <td class="num">${with_(va, m.spread?.(A.detail))}</td>
            <td class="num">${with_(vb, m.spread?.(B.detail))}</td>
            <td class="num">${diff === null ? '-' : `${diff >= 0 ? '+' : ''}${diff.toFixed(4)}`}</td>
            <td class="hint">${diff === null || !m.spread ? '' : Math.abs(diff) <= noise ? 'within the fold spread: noise' : 'beyond the fold spread'}</td>
          </tr>`;
        })}
        <tr><th scope="row">calibration</th><td>${A.detail.metrics?.calibrated?.method ?? 'none'}</td><td>${B.detail.metrics?.calibrated?.method ?? 'none'}</td><td></td><td></td></tr>
      </tbody>
    </table>
    <h3>Contract</h3>
    ${
      differences === null
        ? html`<p>One of the versions has no readable contract.</p>`
        : differences.length
          ? html`<ul class="contract-differences">${differences.map((d) => html`<li>${d.message}</li>`)}</ul>`
          : html`<p class="contract-same">The same contract: ${B.label} takes the same requests and answers in the same terms as ${A.label}.</p>`
    }
    <h3>Gains (share of a class found in the best-scored deciles, out of fold)</h3>
    <${GainsChart} sides=${sides} />
    <h3>Fairness</h3>
    ${
      fairnessColumns.length
        ? html`<table><thead><tr><th>column</th><th>${A.label}: parity ratio / odds difference</th><th>${B.label}: parity ratio / odds difference</th></tr></thead><tbody>
          ${fairnessColumns.map((column) => {
            const cell = (d: Detail): string => {
              const f = d.metrics?.fairness?.find((x) => x.column === column);
              return f
                ? `${number(f.summary.demographicParityRatio, 3)} / ${number(f.summary.equalizedOddsDifference, 3)}${f.summary.fourFifthsRule === 'fails' ? ' (fails four-fifths)' : ''}`
                : 'not measured';
            };
            return html`<tr><td>${column}</td><td>${cell(A.detail)}</td><td>${cell(B.detail)}</td></tr>`;
          })}
        </tbody></table>`
        : html`<p>Neither version declared a sensitive column.</p>`
    }
    <h3>Parameters that differ</h3>
    ${
      params.length
        ? html`<table class="compare-params"><thead><tr><th>parameter</th><th>${A.label}</th><th>${B.label}</th></tr></thead><tbody>${params.map((p) => html`<tr><td>${p.name}</td><td>${p.a}</td><td>${p.b}</td></tr>`)}</tbody></table>`
        : html`<p>The same training parameters.</p>`
    }
  </div>`;
}

/** Classifier and sampler parameters whose values differ, as text. */
function paramDifferences(a: Detail, b: Detail): { name: string; a: string; b: string }[] {
  const out: { name: string; a: string; b: string }[] = [];
  for (const part of ['classifier', 'sampler'] as const) {
    const pa = a.params?.[part] ?? {};
    const pb = b.params?.[part] ?? {};
    for (const key of [...new Set([...Object.keys(pa), ...Object.keys(pb)])].sort()) {
      const [va, vb] = [JSON.stringify(pa[key] ?? null), JSON.stringify(pb[key] ?? null)];
      if (va !== vb) out.push({ name: `${part}.${key}`, a: va, b: vb });
    }
  }
  return out;
}

const W = 320;
const H = 200;
const PAD = 30;

/** Cumulative capture by decile of the class both versions rank (two classes: the positive one; more: the last), one line each. */
function GainsChart({ sides }: { sides: [Side, Side] }) {
  const classes = sides[1].detail.classes;
  const target = classes[classes.length - 1];
  const lines = sides.map((s) => ({ label: s.label, rows: s.detail.metrics?.out_of_fold?.gains[target] ?? [] }));
  if (lines.every((l) => !l.rows.length))
    return html`<p>No out-of-fold gains recorded (versions trained before they were).</p>`;
  const x = (decile: number): number => PAD + (decile / 10) * (W - 2 * PAD);
  const y = (share: number): number => H - PAD - share * (H - 2 * PAD);
  const colours = ['#0b57d0', '#b3261e'];
  return html`<figure class="gains">
    <svg viewBox=${`0 0 ${W} ${H}`} width=${W} height=${H} role="img" aria-label=${`gains of ${target}`}>
      <rect x=${PAD} y=${PAD} width=${W - 2 * PAD} height=${H - 2 * PAD} fill="none" stroke="#999" />
      <line x1=${x(0)} y1=${y(0)} x2=${x(10)} y2=${y(1)} stroke="#999" stroke-dasharray="4 4" />
      ${lines.map((l, i) => html`<polyline data-version=${l.label} fill="none" stroke=${colours[i]} stroke-width="2" points=${[`${x(0)},${y(0)}`, ...l.rows.map((r) => `${x(r.decile).toFixed(1)},${y(r.cumulativeCapture).toFixed(1)}`)].join(' ')} />`)}
      <text x=${W / 2} y=${H - 6} text-anchor="middle" font-size="11">deciles, best scored first</text>
    </svg>
    <figcaption>${lines.map((l, i) => html`<span style=${{ color: colours[i] }}>● ${l.label} </span>`)} share of ${target} found; the dashed line is a random order.</figcaption>
  </figure>`;
}
