/**
 * One version: its candidates table, the confusion matrix as a heatmap, its reliability plot, a
 * scorecard's points table, its parameters. A promote reloads it (its aliases change).
 */
import { api } from '../api.ts';
import { link } from '../hash-route.ts';
import { html } from '../html.ts';
import { usePoll } from '../poll.ts';
import { ErrorNote, Loading, NeedsKey, number, Section, when } from '../ui.ts';
import type { Card } from './card.ts';
import type { VersionSummary } from './models.ts';
import { PromoteButton, useAdmin } from './actions.ts';
import { ScorecardTable } from './scorecard-table.ts';

interface Candidate {
  classifier: string;
  sampler: string;
  f1_macro: number | null;
  /** Absent in versions trained before ranking metrics were recorded. */
  roc_auc?: number | null;
  ks?: number | null;
  error: string | null;
}

/** A reliability bin (lib/evaluation/calibration-metrics.ts): the mean top-class probability and how often that class was right. */
interface ReliabilityRow {
  mean_confidence: number;
  accuracy: number;
  count: number;
}

interface VersionDetail extends VersionSummary {
  classes: string[];
  metrics: {
    confusion_matrix?: number[][];
    candidates?: Candidate[];
    ranking?: { roc_auc: number | null; roc_auc_std: number | null; gini: number | null; ks: number | null };
    reliability?: ReliabilityRow[];
    calibrated?: {
      method: string;
      reliability: { uncalibrated: ReliabilityRow[]; calibrated: ReliabilityRow[] } | null;
    };
  } | null;
  params: unknown;
}

export function VersionView({ version }: { version: string }) {
  const { data, error, reload } = usePoll(
    () => api<VersionDetail>(`model/versions/${encodeURIComponent(version)}`),
    null,
    [version],
  );
  return html`<${Section} title=${`Version ${version}`}>
    <p><a href=${link('models')}>All versions</a> · <a href=${link(`models/${encodeURIComponent(version)}/card`)}>Model card</a> · <a href=${link(`compare/champion/${encodeURIComponent(version)}`)}>Compare with champion</a></p>
    <${ErrorNote} error=${error} />
    ${!data && !error ? html`<${Loading} what="the version" />` : null}
    ${
      data
        ? html`<dl class="facts">
            <dt>created</dt><dd>${when(data.createdAt)} by ${data.createdBy ?? '-'}</dd>
            <dt>candidate</dt><dd>${data.classifier}+${data.sampler}</dd>
            <dt>CV macro F1</dt><dd>${number(data.cv?.f1_macro)}${data.cv?.f1_macro_std !== undefined ? ` ± ${number(data.cv.f1_macro_std)}` : ''}</dd>
            <dt>CV ROC AUC</dt><dd>${number(data.metrics?.ranking?.roc_auc)}${data.metrics?.ranking?.roc_auc_std !== null && data.metrics?.ranking?.roc_auc_std !== undefined ? ` ± ${number(data.metrics.ranking.roc_auc_std)}` : ''}, Gini ${number(data.metrics?.ranking?.gini)}, KS ${number(data.metrics?.ranking?.ks)}</dd>
            <dt>aliases</dt><dd>${data.aliases.join(', ') || 'none'}</dd>
          </dl>
          <${PromoteButton} alias="champion" version=${version} onDone=${reload} />
          <h3>Confusion matrix (rows: true class, columns: predicted)</h3>
          ${data.metrics?.confusion_matrix ? html`<${Heatmap} classes=${data.classes} matrix=${data.metrics.confusion_matrix} />` : html`<p>none recorded</p>`}
          <h3>Reliability (top-class probability against how often it was right)</h3>
          ${
            data.metrics?.reliability
              ? html`<${Reliability} uncalibrated=${data.metrics.calibrated?.reliability?.uncalibrated ?? data.metrics.reliability} calibrated=${data.metrics.calibrated?.reliability?.calibrated ?? null} method=${data.metrics.calibrated?.method ?? null} />`
              : html`<p>none recorded</p>`
          }
          ${data.classifier === 'scorecard' ? html`<h3>Scorecard</h3><${VersionScorecard} version=${version} />` : null}
          <h3>Candidates</h3>
          <div class="scroll"><table>
            <thead><tr><th>classifier</th><th>sampler</th><th>CV macro F1</th><th>ROC AUC</th><th>KS</th></tr></thead>
            <tbody>
              ${(data.metrics?.candidates ?? []).map((c) =>
                c.error
                  ? html`<tr><td>${c.classifier}</td><td>${c.sampler}</td><td class="num" colspan="3">failed: ${c.error}</td></tr>`
                  : html`<tr><td>${c.classifier}</td><td>${c.sampler}</td><td class="num">${number(c.f1_macro)}</td><td class="num">${number(c.roc_auc)}</td><td class="num">${number(c.ks)}</td></tr>`,
              )}
            </tbody>
          </table></div>
          <h3>Parameters</h3>
          <pre>${JSON.stringify(data.params, null, 2)}</pre>`
        : null
    }
  <//>`;
}

/**
 * The points table comes with the model card (one source: lib/scorecard/scorecard-report.ts),
 * which asks for the admin key (it names who trained and promoted the version).
 */
function VersionScorecard({ version }: { version: string }) {
  const admin = useAdmin();
  const { data, error } = usePoll(
    () => api<Card>(`model/versions/${encodeURIComponent(version)}/card`),
    null,
    [version],
    admin,
  );
  if (!admin) return html`<${NeedsKey} what="the scorecard's points table (it comes with the model card)" />`;
  return html`<${ErrorNote} error=${error} />
    ${!data && !error ? html`<${Loading} what="the points table" />` : null}
    ${data?.scorecard ? html`<${ScorecardTable} report=${data.scorecard} />` : null}`;
}

/** Each cell shaded by its share of its row (recall per class), the count written in it. */
function Heatmap({ classes, matrix }: { classes: string[]; matrix: number[][] }) {
  return html`<table class="heatmap">
    <thead><tr><th></th>${classes.map((c) => html`<th scope="col">${c}</th>`)}</tr></thead>
    <tbody>
      ${matrix.map((row, i) => {
        const total = row.reduce((s, v) => s + v, 0) || 1;
        return html`<tr><th scope="row">${classes[i]}</th>${row.map((v) => html`<td class="num" style=${{ '--share': (v / total).toFixed(3) }}>${v}</td>`)}</tr>`;
      })}
    </tbody>
  </table>`;
}

const PLOT = 240;
const PAD = 34;

/**
 * The reliability diagram: a point per bin at (mean probability, share right), the diagonal
 * where they would agree. Out-of-fold probabilities, and with a calibration the nested
 * calibrated ones beside them (both judged on outer test folds only).
 */
function Reliability({
  uncalibrated,
  calibrated,
  method,
}: {
  uncalibrated: ReliabilityRow[];
  calibrated: ReliabilityRow[] | null;
  method: string | null;
}) {
  const at = (v: number, axis: 'x' | 'y'): number => (axis === 'x' ? PAD + v * PLOT : PAD + (1 - v) * PLOT);
  const series = (rows: ReliabilityRow[], name: string, colour: string) => html`<g class=${`series ${name}`}>
      <polyline data-series=${name} fill="none" stroke=${colour} stroke-width="2" points=${rows.map((r) => `${at(r.mean_confidence, 'x').toFixed(1)},${at(r.accuracy, 'y').toFixed(1)}`).join(' ')} />
      ${rows.map((r) => html`<circle cx=${at(r.mean_confidence, 'x').toFixed(1)} cy=${at(r.accuracy, 'y').toFixed(1)} r="3.5" fill=${colour}><title>${`${name}: ${r.count} rows, mean probability ${r.mean_confidence.toFixed(3)}, right ${(100 * r.accuracy).toFixed(1)} %`}</title></circle>`)}
    </g>`;
  const ticks = [0, 0.25, 0.5, 0.75, 1];
  return html`<figure class="reliability">
    <svg class="reliability" viewBox=${`0 0 ${PLOT + 2 * PAD} ${PLOT + 2 * PAD}`} width=${PLOT + 2 * PAD} height=${PLOT + 2 * PAD} role="img" aria-label=${`reliability: ${calibrated ? `uncalibrated and ${method}` : "the model's own probabilities"}`}>
      <rect x=${PAD} y=${PAD} width=${PLOT} height=${PLOT} fill="none" stroke="#999" />
      <line x1=${at(0, 'x')} y1=${at(0, 'y')} x2=${at(1, 'x')} y2=${at(1, 'y')} stroke="#999" stroke-dasharray="4 4" />
      ${ticks.map((t) => html`<text x=${at(t, 'x')} y=${PAD + PLOT + 14} text-anchor="middle" font-size="10">${t}</text><text x=${PAD - 6} y=${at(t, 'y') + 3} text-anchor="end" font-size="10">${t}</text>`)}
      <text x=${PAD + PLOT / 2} y=${PLOT + 2 * PAD - 4} text-anchor="middle" font-size="11">mean top-class probability</text>
      <text x="10" y=${PAD + PLOT / 2} text-anchor="middle" font-size="11" transform=${`rotate(-90 10 ${PAD + PLOT / 2})`}>share right</text>
      ${series(uncalibrated, 'uncalibrated', '#0b57d0')}
      ${calibrated ? series(calibrated, 'calibrated', '#136f3a') : null}
    </svg>
    <figcaption>
      <span class="legend uncalibrated">● model's own (out of fold)</span>
      ${calibrated ? html` <span class="legend calibrated">● ${method} calibrated (nested), as served</span>` : null}
      <span>: on the dashed line a probability means what it says.</span>
    </figcaption>
  </figure>`;
}
