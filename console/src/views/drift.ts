/**
 * Drift: the last check's verdict, the drifted columns first (by effect), each with its test,
 * statistic, p-value and effect; the drifted columns' training-versus-current distributions
 * (any column's on a click of its name); the mix of applicants' groups against training's, per
 * sensitive column; a button to run a check on the captured window now.
 */
import { useState } from 'preact/hooks';
import { api } from '../api.ts';
import { html } from '../html.ts';
import { usePoll } from '../poll.ts';
import { ErrorNote, Loading, NeedsKey, number, percent, Section, when } from '../ui.ts';
import { ActionButton, useAdmin } from './actions.ts';
import { DistributionChart, type Distribution } from './distribution.ts';

interface ColumnDrift {
  column: string;
  kind: string;
  samples: number;
  test: string;
  statistic: number | null;
  pValue: number | null;
  adjustedPValue: number | null;
  effect: number | null;
  effectName: string;
  missingRate: { baseline: number; live: number };
  status: string;
  distribution?: Distribution;
}

interface DriftReport {
  at: string;
  version: string;
  verdict: string;
  rows: number;
  evaluated: number;
  drifted: number;
  driftedShare: number;
  columns: ColumnDrift[];
  /** The applicants' groups against training's, per sensitive column (absent without sensitive columns). */
  groupMix?: {
    reason: string | null;
    columns: { column: string; samples: number; psi: number | null; status: string; distribution: Distribution }[];
  };
}

/** Drifted columns first, the strongest effect first; then the rest by name. */
export function orderColumns(columns: ColumnDrift[]): ColumnDrift[] {
  const drifted = (c: ColumnDrift): number => (c.status === 'drift' ? 0 : 1);
  return [...columns].sort(
    (a, b) => drifted(a) - drifted(b) || (b.effect ?? 0) - (a.effect ?? 0) || a.column.localeCompare(b.column),
  );
}

export function DriftView() {
  const admin = useAdmin();
  const [picked, setPicked] = useState<string | null>(null);
  const { data, error, reload } = usePoll(() => api<DriftReport>('drift/latest'), 30_000, [], admin);
  return html`<${Section} title="Drift">
    <${ActionButton} label="Run a drift check now" request=${{ path: 'drift/check', method: 'POST', body: {} }} onDone=${reload} />
    ${admin ? null : html`<${NeedsKey} what="the drift report" />`}
    <${ErrorNote} error=${error} />
    ${admin && !data && !error ? html`<${Loading} what="the last drift report" />` : null}
    ${
      data
        ? html`<p class=${`verdict verdict-${data.verdict}`}>Verdict <strong>${data.verdict}</strong>: ${data.drifted} of ${data.evaluated} columns drifted (${percent(data.driftedShare)}), ${data.rows} rows, checked ${when(data.at)} against version ${data.version}.</p>
          <div class="scroll"><table class="drift">
            <thead><tr><th>column</th><th>status</th><th>test</th><th>statistic</th><th>p-value (adjusted)</th><th>effect</th><th>missing: training / now</th><th>samples</th></tr></thead>
            <tbody>
              ${orderColumns(data.columns).map(
                (c) => html`<tr class=${`status-${c.status}`} data-column=${c.column}>
                  <td><button type="button" class="link" onClick=${() => setPicked(c.column)} aria-label=${`show the distribution of ${c.column}`}>${c.column}</button></td><td>${c.status}</td><td>${c.test}</td><td class="num">${number(c.statistic)}</td>
                  <td class="num">${number(c.adjustedPValue ?? c.pValue)}</td><td class="num">${number(c.effect)} ${c.effectName}</td>
                  <td class="num">${percent(c.missingRate.baseline)} / ${percent(c.missingRate.live)}</td><td class="num">${c.samples}</td>
                </tr>`,
              )}
            </tbody>
          </table></div>
          ${orderColumns(data.columns)
            .filter((c) => c.distribution && (c.status === 'drift' || c.column === picked))
            .map(
              (c) => html`<${DistributionChart} key=${c.column} column=${c.column} distribution=${c.distribution!} />`,
            )}
          ${data.groupMix ? html`<${GroupMix} mix=${data.groupMix} />` : null}`
        : null
    }
  <//>`;
}

/** The group mix: per sensitive column its PSI against training's shares, a shifted one's shares drawn. */
function GroupMix({ mix }: { mix: NonNullable<DriftReport['groupMix']> }) {
  return html`<div class="group-mix">
    <h3>Group mix (sensitive columns)</h3>
    ${mix.reason ? html`<p class="hint">${mix.reason}</p>` : null}
    ${
      mix.columns.length
        ? html`<div class="scroll"><table class="drift">
          <thead><tr><th>column</th><th>status</th><th>PSI</th><th>answers</th></tr></thead>
          <tbody>${mix.columns.map((c) => html`<tr class=${`status-${c.status}`} data-column=${c.column}><td>${c.column}</td><td>${c.status}</td><td class="num">${number(c.psi)}</td><td class="num">${c.samples}</td></tr>`)}</tbody>
        </table></div>
        ${mix.columns.filter((c) => c.status === 'drift').map((c) => html`<${DistributionChart} key=${`mix-${c.column}`} column=${c.column} distribution=${c.distribution} />`)}`
        : null
    }
  </div>`;
}
