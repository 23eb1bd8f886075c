/** Models: every registered version, newest first, with its scores, data and aliases. */
import { api } from '../api.ts';
import { link } from '../hash-route.ts';
import { html } from '../html.ts';
import { usePoll } from '../poll.ts';
import { ErrorNote, Loading, number, Section, when } from '../ui.ts';

export interface VersionSummary {
  version: string;
  createdAt: string | null;
  createdBy: string | null;
  classifier: string;
  sampler: string;
  cv: { f1_macro: number; f1_macro_std?: number; accuracy: number } | null;
  data: { source: string; sha256: string; rows: number } | null;
  aliases: string[];
  problem?: string;
}

export function ModelsView() {
  const { data, error } = usePoll(
    () => api<{ versions: VersionSummary[]; next: string | null }>('model/versions?limit=100'),
    30_000,
  );
  return html`<${Section} title="Models">
    <${ErrorNote} error=${error} />
    ${!data && !error ? html`<${Loading} what="the versions" />` : null}
    ${
      data
        ? html`<div class="scroll"><table>
          <thead><tr><th>version</th><th>aliases</th><th>created</th><th>by</th><th>candidate</th><th>CV macro F1</th><th>accuracy</th><th>data</th></tr></thead>
          <tbody>
            ${data.versions.map(
              (v) => html`<tr key=${v.version} data-version=${v.version}>
                <td><a href=${link(`models/${encodeURIComponent(v.version)}`)}>${v.version}</a></td>
                <td>${v.aliases.map((a) => html`<span class="badge">${a}</span> `)}</td>
                <td>${when(v.createdAt)}</td>
                <td>${v.createdBy ?? '-'}</td>
                <td>${v.problem ? html`<span class="error">${v.problem}</span>` : `${v.classifier}+${v.sampler}`}</td>
                <td class="num">${number(v.cv?.f1_macro)}</td>
                <td class="num">${number(v.cv?.accuracy)}</td>
                <td title=${v.data?.sha256 ?? ''}>${v.data ? `${v.data.source}, ${v.data.rows} rows, ${v.data.sha256.slice(0, 12)}` : '-'}</td>
              </tr>`,
            )}
          </tbody>
        </table></div>
        ${data.versions.length === 0 ? html`<p>No version is registered yet.</p>` : null}`
        : null
    }
  <//>`;
}
