/**
 * Jobs: recent retrain jobs of every model (the list is the service's) with the model each
 * retrains, their live progress and result; a button to retrain the chosen model, on the
 * training data named in the box (a model other than the default has none of its own: the API
 * asks for a dataKey, a CSV in the bucket under data/).
 */
import { useState } from 'preact/hooks';
import { api } from '../api.ts';
import { html } from '../html.ts';
import { usePoll } from '../poll.ts';
import { ErrorNote, Loading, NeedsKey, number, Section, when } from '../ui.ts';
import { ActionButton, useAdmin } from './actions.ts';

interface Job {
  jobId: string;
  model: string;
  status: string;
  createdAt: string;
  finishedAt?: string;
  progress?: { done: number; total: number; message?: string; etaSeconds?: number };
  result?: { version?: string; promoted?: boolean; best?: { classifier: string; sampler: string; f1_macro?: number } };
  error?: string;
}

export function JobsView() {
  const admin = useAdmin();
  const { data, error, reload } = usePoll(() => api<{ jobs: Job[] }>('model/retrain?limit=20'), 5_000, [], admin);
  const [dataKey, setDataKey] = useState('');
  const body = { promote: 'if-better', ...(dataKey.trim() ? { dataKey: dataKey.trim() } : {}) };
  return html`<${Section} title="Retrain jobs">
    ${admin ? html`<label class="inline">Training data (a key in the bucket; empty: the default model's own) <input name="dataKey" placeholder="data/....csv" value=${dataKey} onInput=${(e: Event) => setDataKey((e.target as HTMLInputElement).value)} /></label>` : null}
    <${ActionButton} label="Start a retrain (promote if better)" confirm="Start a full retrain now?" request=${{ path: 'model/retrain', method: 'POST', body }} onDone=${reload} />
    ${admin ? null : html`<${NeedsKey} what="the retrain jobs" />`}
    <${ErrorNote} error=${error} />
    ${admin && !data && !error ? html`<${Loading} what="the jobs" />` : null}
    ${
      data
        ? html`<div class="scroll"><table>
          <thead><tr><th>job</th><th>model</th><th>status</th><th>progress</th><th>created</th><th>result</th></tr></thead>
          <tbody>
            ${data.jobs.map((j) => {
              const p = j.progress;
              return html`<tr key=${j.jobId}>
                <td>${j.jobId}</td><td>${j.model}</td><td>${j.status}</td>
                <td>${p && p.total ? html`<progress max=${p.total} value=${p.done} aria-label=${`${p.done} of ${p.total}`}></progress> ${p.done}/${p.total}${p.etaSeconds ? `, ${Math.round(p.etaSeconds)} s left` : ''}` : (p?.message ?? '-')}</td>
                <td>${when(j.createdAt)}</td>
                <td>${j.error ? html`<span class="error">${j.error}</span>` : j.result?.version ? `${j.result.version} (${j.result.best?.classifier}+${j.result.best?.sampler}, F1 ${number(j.result.best?.f1_macro)})${j.result.promoted ? ', promoted' : ''}` : '-'}</td>
              </tr>`;
            })}
          </tbody>
        </table></div>
        ${data.jobs.length === 0 ? html`<p>No retrain job yet.</p>` : null}`
        : null
    }
  <//>`;
}
