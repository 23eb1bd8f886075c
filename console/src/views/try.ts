/**
 * Try it: the model's sample request as a form, its answer with the probabilities and the
 * three main reasons (every value sent and received is shown as text). Scored by the chosen
 * model: POST /models/{name}/predict, or /predict for the default one.
 */
import { useState } from 'preact/hooks';
import { api, ApiError } from '../api.ts';
import { readHash } from '../hash-route.ts';
import { html } from '../html.ts';
import { predictPath } from '../model-route.ts';
import { usePoll } from '../poll.ts';
import { ErrorNote, Loading, number, percent, Section } from '../ui.ts';

interface Info {
  model: { version: string };
  sampleRequest: Record<string, string | number | null>;
}

interface Answer {
  prediction: string;
  probabilities: Record<string, number>;
  model: { version: string; variant: string };
  notes?: string[];
  reasons?: { feature: string; value: unknown; contribution: number }[];
  baseValue?: number;
  explanation?: { method: string; space: string };
}

export function TryView() {
  const info = usePoll(() => api<Info>('model/info'), null);
  const [record, setRecord] = useState<Record<string, string> | null>(null);
  const [answer, setAnswer] = useState<Answer | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const fields =
    record ??
    (info.data
      ? Object.fromEntries(Object.entries(info.data.sampleRequest).map(([k, v]) => [k, v === null ? '' : String(v)]))
      : null);
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    if (!fields) return;
    setError(null);
    try {
      const body = Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, v === '' ? null : v]));
      setAnswer(await api<Answer>(`${predictPath(readHash().model)}?explain=3`, { method: 'POST', body }));
    } catch (err) {
      setAnswer(null);
      setError(err as ApiError);
    }
  };
  return html`<${Section} title="Try it">
    <${ErrorNote} error=${info.error} />
    ${!fields && !info.error ? html`<${Loading} what="the sample request" />` : null}
    ${
      fields
        ? html`<form class="try" onSubmit=${submit}>
          <div class="fields">
            ${Object.entries(fields).map(
              ([name, value]) =>
                html`<label>${name} <input name=${name} value=${value} onInput=${(e: Event) => setRecord({ ...fields, [name]: (e.target as HTMLInputElement).value })} /></label>`,
            )}
          </div>
          <button type="submit">Predict</button>
        </form>`
        : null
    }
    <${ErrorNote} error=${error} />
    ${error?.details.length ? html`<ul class="problems">${error.details.map((p) => html`<li><code>${p.field}</code>: ${p.message}</li>`)}</ul>` : null}
    ${
      answer
        ? html`<div class="answer" role="status">
          <p>Prediction <strong class="prediction">${answer.prediction}</strong> by version ${answer.model.version} (${answer.model.variant}).</p>
          ${answer.notes?.length ? html`<ul class="notes">${answer.notes.map((n) => html`<li>${n}</li>`)}</ul>` : null}
          <table><tbody>${Object.entries(answer.probabilities).map(([c, p]) => html`<tr><th scope="row">${c}</th><td class="num">${percent(p)}</td><td><meter min="0" max="1" value=${p}></meter></td></tr>`)}</tbody></table>
          ${
            answer.reasons
              ? html`<h3>Main reasons (${answer.explanation?.method}, in ${answer.explanation?.space}; base ${number(answer.baseValue)})</h3>
                <ol class="reasons">${answer.reasons.map((r) => html`<li><span class="feature">${r.feature}</span> = <span class="value">${String(r.value)}</span>: +${number(r.contribution)}</li>`)}</ol>`
              : null
          }
        </div>`
        : null
    }
  <//>`;
}
