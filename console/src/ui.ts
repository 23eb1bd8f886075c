/** Small shared pieces of the views: states, tables, numbers, times. */
import type { ComponentChildren } from 'preact';
import type { ApiError } from './api.ts';
import { html } from './html.ts';

export function ErrorNote({ error }: { error: ApiError | null }) {
  if (!error) return null;
  const hint = error.status === 401 ? ' Enter the admin key above to see this.' : '';
  return html`<p class="error" role="alert">${error.message}${hint}</p>`;
}

export function Loading({ what }: { what: string }) {
  return html`<p class="loading">Loading ${what}...</p>`;
}

export function Section({ title, children }: { title: string; children: ComponentChildren }) {
  return html`<section><h2>${title}</h2>${children}</section>`;
}

export const number = (v: number | null | undefined, digits = 4): string =>
  v === null || v === undefined || Number.isNaN(v) ? '-' : v.toFixed(digits);
export const percent = (v: number | null | undefined): string =>
  v === null || v === undefined ? '-' : `${(v * 100).toFixed(1)}%`;
export const when = (iso: string | null | undefined): string => (iso ? new Date(iso).toLocaleString() : '-');

/** What an admin view shows without the key, instead of asking the API for a 401. */
export function NeedsKey({ what }: { what: string }) {
  return html`<p class="hint">Enter the admin key above to see ${what}.</p>`;
}
