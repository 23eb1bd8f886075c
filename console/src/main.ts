/**
 * The operator console: a hash-routed page over the JSON API. Views: models (and a version),
 * traffic (split, canary, history, policy form), variants (the report, latency over time,
 * shadow agreement), drift, jobs, approvals (four eyes), try it. The admin key box keeps
 * the key in sessionStorage; without a key the page is read-only and admin views say so. The
 * model picker chooses which model the views are about (kept in the hash: hash-route.ts); the
 * views are drawn anew for another model (the `key` of main), so none shows the other's numbers.
 */
import { render } from 'preact';
import { useState } from 'preact/hooks';
import { setAdminKey } from './admin-key.ts';
import { hashFor, useHashRoute } from './hash-route.ts';
import { html } from './html.ts';
import { useAdmin } from './views/actions.ts';
import { ApprovalsView } from './views/approvals.ts';
import { DriftView } from './views/drift.ts';
import { JobsView } from './views/jobs.ts';
import { ModelsView } from './views/models.ts';
import { TrafficView } from './views/traffic.ts';
import { TryView } from './views/try.ts';
import { VariantsView } from './views/variants.ts';
import { VersionView } from './views/version.ts';
import { CardView } from './views/card.ts';
import { CompareView } from './views/compare.ts';
import { ModelPicker } from './views/model-picker.ts';
import './style.css';

const VIEWS = [
  { path: 'models', title: 'Models' },
  { path: 'traffic', title: 'Traffic' },
  { path: 'variants', title: 'Variants' },
  { path: 'drift', title: 'Drift' },
  { path: 'jobs', title: 'Jobs' },
  { path: 'approvals', title: 'Approvals' },
  { path: 'try', title: 'Try it' },
];

function KeyBox() {
  const admin = useAdmin();
  const [typed, setTyped] = useState('');
  if (admin)
    return html`<div class="key">Admin key set. <button type="button" onClick=${() => setAdminKey(null)}>Forget it</button></div>`;
  const save = (e: Event): void => {
    e.preventDefault();
    if (typed.trim()) setAdminKey(typed.trim());
    setTyped('');
  };
  return html`<form class="key" onSubmit=${save}>
    <label>Admin key <input type="password" autocomplete="off" name="admin-key" value=${typed} onInput=${(e: Event) => setTyped((e.target as HTMLInputElement).value)} /></label>
    <button type="submit">Use</button> <span class="hint">read-only without it</span>
  </form>`;
}

function App() {
  const route = useHashRoute();
  const [view, ...rest] = route.parts;
  const body =
    view === 'models' && rest[0] && rest[1] === 'card'
      ? html`<${CardView} version=${rest[0]} />`
      : view === 'compare' && rest[0] && rest[1]
        ? html`<${CompareView} a=${rest[0]} b=${rest[1]} />`
        : view === 'models' && rest[0]
          ? html`<${VersionView} version=${rest[0]} />`
          : view === 'traffic'
            ? html`<${TrafficView} />`
            : view === 'variants'
              ? html`<${VariantsView} />`
              : view === 'drift'
                ? html`<${DriftView} />`
                : view === 'jobs'
                  ? html`<${JobsView} />`
                  : view === 'approvals'
                    ? html`<${ApprovalsView} />`
                    : view === 'try'
                      ? html`<${TryView} />`
                      : html`<${ModelsView} />`;
  return html`<div class="shell">
    <header class="no-print">
      <h1>credit-score console</h1>
      <${ModelPicker} route=${route} />
      <nav aria-label="views">${VIEWS.map((v) => html`<a href=${hashFor(v.path, route.model)} aria-current=${view === v.path ? 'page' : undefined}>${v.title}</a>`)}</nav>
      <${KeyBox} />
    </header>
    <main key=${route.model ?? ''}>${body}</main>
  </div>`;
}

// The page's own "Loading" line goes: Preact renders into an empty container.
const root = document.getElementById('app')!;
root.textContent = '';
render(html`<${App} />`, root);
