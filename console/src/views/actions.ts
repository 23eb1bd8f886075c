/**
 * Buttons that change something, with the admin key: they ask for confirmation first when the
 * change is destructive, and say what happened (the API's message on failure). Without a key
 * they are not shown: the page is read-only.
 */
import { useEffect, useState } from 'preact/hooks';
import { adminKey, onAdminKeyChange } from '../admin-key.ts';
import { api, ApiError } from '../api.ts';
import { html } from '../html.ts';

export interface ActionRequest {
  path: string;
  method: 'POST' | 'PUT';
  body?: unknown;
}

export function useAdmin(): boolean {
  const [has, setHas] = useState(adminKey() !== null);
  useEffect(() => onAdminKeyChange(() => setHas(adminKey() !== null)), []);
  return has;
}

export function ActionButton({ label, request, confirm, onDone }: { label: string; request: ActionRequest; confirm?: string; onDone?: (result: unknown) => void }) {
  const admin = useAdmin();
  const [state, setState] = useState<{ busy: boolean; message: string | null; failed: boolean }>({ busy: false, message: null, failed: false });
  if (!admin) return null;
  const run = async (): Promise<void> => {
    if (confirm && !window.confirm(confirm)) return;
    setState({ busy: true, message: null, failed: false });
    try {
      const result = await api<unknown>(request.path, { method: request.method, body: request.body ?? {} });
      setState({ busy: false, message: 'Done.', failed: false });
      onDone?.(result);
    } catch (err) {
      setState({ busy: false, message: err instanceof ApiError ? err.message : String(err), failed: true });
    }
  };
  return html`<span class="action">
    <button type="button" disabled=${state.busy} onClick=${run}>${state.busy ? `${label}...` : label}</button>
    ${state.message ? html` <span class=${state.failed ? 'error' : 'ok'} role="status">${state.message}</span>` : null}
  </span>`;
}
