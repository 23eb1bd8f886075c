/** One version: its candidates table, the confusion matrix as a heatmap, its parameters. */
import { api } from '../api.ts';
import { html } from '../html.ts';
import { usePoll } from '../poll.ts';
import { ErrorNote, Loading, number, Section, when } from '../ui.ts';
import type { VersionSummary } from './models.ts';
import { ActionButton } from './actions.ts';

interface Candidate {
  classifier: string;
  sampler: string;
  f1_macro: number | null;
  error: string | null;
}

interface VersionDetail extends VersionSummary {
  classes: string[];
  metrics: { confusion_matrix?: number[][]; candidates?: Candidate[] } | null;
  params: unknown;
}

export function VersionView({ version }: { version: string }) {
  const { data, error } = usePoll(() => api<VersionDetail>(`model/versions/${encodeURIComponent(version)}`), null, [version]);
  return html`<${Section} title=${`Version ${version}`}>
    <p><a href="#/models">All versions</a></p>
    <${ErrorNote} error=${error} />
    ${!data && !error ? html`<${Loading} what="the version" />` : null}
    ${data
      ? html`<dl class="facts">
            <dt>created</dt><dd>${when(data.createdAt)} by ${data.createdBy ?? '-'}</dd>
            <dt>candidate</dt><dd>${data.classifier}+${data.sampler}</dd>
            <dt>CV macro F1</dt><dd>${number(data.cv?.f1_macro)}</dd>
            <dt>aliases</dt><dd>${data.aliases.join(', ') || 'none'}</dd>
          </dl>
          <${ActionButton} label="Promote to champion" confirm=${`Point champion at ${version}?`} request=${{ path: 'model/promote', method: 'POST', body: { alias: 'champion', version, reason: 'promoted from the console' } }} />
          <h3>Confusion matrix (rows: true class, columns: predicted)</h3>
          ${data.metrics?.confusion_matrix ? html`<${Heatmap} classes=${data.classes} matrix=${data.metrics.confusion_matrix} />` : html`<p>none recorded</p>`}
          <h3>Candidates</h3>
          <div class="scroll"><table>
            <thead><tr><th>classifier</th><th>sampler</th><th>CV macro F1</th></tr></thead>
            <tbody>
              ${(data.metrics?.candidates ?? []).map((c) => html`<tr><td>${c.classifier}</td><td>${c.sampler}</td><td class="num">${c.error ? `failed: ${c.error}` : number(c.f1_macro)}</td></tr>`)}
            </tbody>
          </table></div>
          <h3>Parameters</h3>
          <pre>${JSON.stringify(data.params, null, 2)}</pre>`
      : null}
  <//>`;
}

/** Each cell shaded by its share of its row (recall per class), the count written in it. */
function Heatmap({ classes, matrix }: { classes: string[]; matrix: number[][] }) {
  return html`<table class="heatmap">
    <thead><tr><th></th>${classes.map((c) => html`<th scope="col">${c}</th>`)}</tr></thead>
    <tbody>
      ${matrix.map((row, i) => {
        const total = row.reduce((s, v) => s + v, 0) || 1;
        return html`<tr><th scope="row">${classes[i]}</th>${row.map((v) => html`<td class="num" style=${{ "--share": (v / total).toFixed(3) }}>${v}</td>`)}</tr>`;
      })}
    </tbody>
  </table>`;
}
