/**
 * Traffic: the policy in force drawn as a split, a canary's step against its plan, the history
 * of alias moves and traffic changes as a timeline (newest first), a form for a new policy and
 * a rollback button. Every action reloads what it changed: the policy, the canary's numbers,
 * the history.
 */
import { useState } from 'preact/hooks';
import { api, ApiError, type FieldProblem } from '../api.ts';
import { html } from '../html.ts';
import { usePoll } from '../poll.ts';
import type { HistoryEvent } from '../history-text.ts';
import { policyText, type PolicyShape } from '../policy-text.ts';
import { ErrorNote, Loading, NeedsKey, Section } from '../ui.ts';
import { ActionButton, useAdmin } from './actions.ts';
import { CanaryNumbers, CanaryProgress } from './canary.ts';
import { Timeline } from './history.ts';

interface RouteStatus {
  variant: string;
  alias: string;
  weight: number;
  version: string | null;
}

interface TrafficStatus {
  policy: PolicyShape & { stepMinutes?: number };
  /** Null while no policy was ever stored: the default, every request to one alias. */
  revision: number | null;
  routes: RouteStatus[];
}

export function TrafficView() {
  const traffic = usePoll(() => api<TrafficStatus>('model/traffic'), 10_000);
  const admin = useAdmin();
  const history = usePoll(() => api<{ events: HistoryEvent[] }>('model/history?limit=100'), 15_000, [], admin);
  // The canary's numbers are read again after an action even when the revision stays (a hold).
  const [actions, setActions] = useState(0);
  const reload = (): void => {
    traffic.reload();
    history.reload();
    setActions((n) => n + 1);
  };
  return html`<div>
    <${Section} title="Traffic">
      <${ErrorNote} error=${traffic.error} />
      ${!traffic.data && !traffic.error ? html`<${Loading} what="the traffic policy" />` : null}
      ${traffic.data ? html`<${Split} status=${traffic.data} />` : null}
      ${traffic.data?.policy.mode === 'canary' ? html`<${CanaryProgress} policy=${traffic.data.policy} />` : null}
      ${traffic.data?.policy.mode === 'canary' && admin ? html`<${CanaryNumbers} revision=${traffic.data.revision} refresh=${actions} />` : null}
      <${ActionButton} label="Roll back champion" confirm="Point champion back at the version its last move replaced?" request=${{ path: 'model/rollback', method: 'POST', body: { alias: 'champion', reason: 'rolled back from the console' } }} onDone=${reload} />
      <${ActionButton} label="Run the canary check" request=${{ path: 'model/canary/check', method: 'POST' }} onDone=${reload} />
    <//>
    <${PolicyForm} onDone=${reload} />
    <${Section} title="History">
      ${admin ? null : html`<${NeedsKey} what="the history" />`}
      <${ErrorNote} error=${history.error} />
      ${history.data ? html`<${Timeline} events=${history.data.events} />` : null}
    <//>
  </div>`;
}

/** The policy's routes as one bar, each variant's width its share of requests. */
function Split({ status }: { status: TrafficStatus }) {
  const versions = new Map(status.routes.map((r) => [r.alias, r.version]));
  const label = (alias: string): string => (versions.get(alias) ? `${alias} (${versions.get(alias)})` : alias);
  return html`<div>
    <p class="mode">Mode <strong>${status.policy.mode}</strong>${status.revision === null ? ' (the default: no traffic policy has been set yet)' : `, revision ${status.revision}`}: ${policyText(status.policy, label)}.</p>
    <div class="split" role="img" aria-label=${status.routes.map((r) => `${r.variant} ${r.weight}%`).join(', ')}>
      ${status.routes.filter((r) => r.weight > 0).map((r, i) => html`<div class=${`part part${i % 4}`} style=${{ flexGrow: r.weight }} data-variant=${r.variant}>${r.variant} ${r.weight}%</div>`)}
    </div>
    <table>
      <thead><tr><th>variant</th><th>alias</th><th>share</th><th>serving version</th></tr></thead>
      <tbody>${status.routes.map((r) => html`<tr><td>${r.variant}</td><td>${r.alias}</td><td class="num">${r.weight}%</td><td>${r.version ?? 'not loaded'}</td></tr>`)}</tbody>
    </table>
  </div>`;
}

type Mode = 'single' | 'ab' | 'canary' | 'bluegreen' | 'shadow';

/** A form per policy mode; checked here first, then the API's 422 details shown field by field. */
function PolicyForm({ onDone }: { onDone: () => void }) {
  const admin = useAdmin();
  const [mode, setMode] = useState<Mode>('ab');
  const [fields, setFields] = useState<Record<string, string>>({
    alias: 'champion',
    a: 'champion',
    b: 'challenger',
    weightA: '50',
    champion: 'champion',
    challenger: 'challenger',
    steps: '5,25,50,100',
    blue: 'blue',
    green: 'green',
    active: 'blue',
    sample: '100',
  });
  const [problems, setProblems] = useState<FieldProblem[]>([]);
  const [message, setMessage] = useState<string | null>(null);
  if (!admin) return null;
  const set = (name: string) => (e: Event) => setFields({ ...fields, [name]: (e.target as HTMLInputElement).value });
  const policy = (): unknown => {
    switch (mode) {
      case 'single':
        return { mode, alias: fields.alias };
      case 'ab':
        return {
          mode,
          variants: [
            { name: 'a', alias: fields.a, weight: Number(fields.weightA) },
            { name: 'b', alias: fields.b, weight: 100 - Number(fields.weightA) },
          ],
        };
      case 'canary':
        return {
          mode,
          champion: fields.champion,
          challenger: fields.challenger,
          steps: fields.steps.split(',').map((s) => Number(s.trim())),
        };
      case 'bluegreen':
        return { mode, blue: fields.blue, green: fields.green, active: fields.active };
      case 'shadow':
        return { mode, champion: fields.champion, challenger: fields.challenger, sample: Number(fields.sample) };
    }
  };
  const localProblems = (): FieldProblem[] => {
    const out: FieldProblem[] = [];
    const weight = Number(fields.weightA);
    if (mode === 'ab' && !(Number.isInteger(weight) && weight >= 0 && weight <= 100))
      out.push({ field: 'weightA', message: 'a whole number from 0 to 100' });
    if (mode === 'canary' && fields.steps.split(',').some((s) => !/^\s*\d+\s*$/.test(s)))
      out.push({ field: 'steps', message: 'percentages separated by commas, e.g. 5,25,50,100' });
    return out;
  };
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    setMessage(null);
    const local = localProblems();
    setProblems(local);
    if (local.length) return;
    if (!window.confirm(`Set a ${mode} traffic policy?`)) return;
    try {
      await api('model/traffic', { method: 'PUT', body: policy() });
      setMessage('Policy set.');
      onDone();
    } catch (err) {
      if (err instanceof ApiError) {
        setProblems(err.details);
        setMessage(err.message);
      } else setMessage(String(err));
    }
  };
  const input = (name: string, label: string) => {
    const problem = problems.find((p) => p.field === name || p.field.endsWith(`.${name}`));
    return html`<label>${label} <input name=${name} value=${fields[name]} onInput=${set(name)} aria-invalid=${problem ? 'true' : 'false'} />${problem ? html` <span class="error">${problem.message}</span>` : null}</label>`;
  };
  return html`<${Section} title="Set the traffic policy">
    <form class="policy" onSubmit=${submit}>
      <label>Mode <select name="mode" value=${mode} onChange=${(e: Event) => setMode((e.target as HTMLSelectElement).value as Mode)}>
        ${['single', 'ab', 'canary', 'bluegreen', 'shadow'].map((m) => html`<option value=${m}>${m}</option>`)}
      </select></label>
      ${mode === 'single' ? input('alias', 'Alias') : null}
      ${mode === 'ab' ? html`${input('a', 'Variant a: alias')}${input('weightA', 'a: percent of traffic')}${input('b', 'Variant b: alias')}` : null}
      ${mode === 'canary' ? html`${input('champion', 'Champion alias')}${input('challenger', 'Challenger alias')}${input('steps', 'Steps (percent)')}` : null}
      ${mode === 'bluegreen' ? html`${input('blue', 'Blue alias')}${input('green', 'Green alias')}${input('active', 'Active (blue or green)')}` : null}
      ${mode === 'shadow' ? html`${input('champion', 'Champion alias')}${input('challenger', 'Challenger alias')}${input('sample', 'Shadow sample (percent)')}` : null}
      <button type="submit">Set policy</button>
      ${message ? html`<p role="status" class=${problems.length ? 'error' : 'ok'}>${message}</p>` : null}
      ${problems.length ? html`<ul class="problems">${problems.map((p) => html`<li><code>${p.field}</code>: ${p.message}</li>`)}</ul>` : null}
    </form>
  <//>`;
}
