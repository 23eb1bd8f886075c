/**
 * Buttons that change something, with the admin key: they ask for confirmation first when the
 * change is destructive, and say what happened (the API's message on failure). Without a key
 * they are not shown: the page is read-only. Promote asks the API's dry run first and, when the
 * version's contract differs from the alias's current one, shows each difference and offers only
 * a forced promote with a reason (docs/model-contract.md). Under four eyes a promote of the
 * champion files a change request: the button then says it waits for approval (docs/four-eyes.md).
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

export function ActionButton({
  label,
  request,
  confirm,
  onDone,
}: {
  label: string;
  request: ActionRequest;
  confirm?: string;
  onDone?: (result: unknown) => void;
}) {
  const admin = useAdmin();
  const [state, setState] = useState<{ busy: boolean; message: string | null; failed: boolean }>({
    busy: false,
    message: null,
    failed: false,
  });
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

/** A contract difference as the API names it (lib/registry/model-contract.ts). */
interface ContractDifference {
  field: string;
  message: string;
}

interface DryRun {
  from: string | null;
  to: string;
  differences: ContractDifference[];
  /** The promotion policy's verdict on the version (null: no policy with gates). */
  policy: { revision: number; failed: { field: string; message: string }[] } | null;
}

/** What stands in the way of a plain promote: contract differences and failed policy gates. */
const objections = (dryRun: DryRun): number => dryRun.differences.length + (dryRun.policy?.failed.length ?? 0);

type PromoteState =
  | { step: 'idle' | 'busy'; message?: string; failed?: boolean }
  | { step: 'differs'; dryRun: DryRun; reason: string; message?: string; failed?: boolean };

/**
 * Promote `version` to `alias`: the dry run first; the same contract and a passing promotion
 * policy ask a plain confirmation; otherwise the panel lists what differs and each failed policy
 * gate, and moves only with force and a reason. The move names the version
 * the dry run saw (`from`), so an alias that moved meanwhile is a 409, not a surprise.
 */
export function PromoteButton({
  alias,
  version,
  onDone,
}: {
  alias: string;
  version: string;
  onDone?: (result: unknown) => void;
}) {
  const admin = useAdmin();
  const [state, setState] = useState<PromoteState>({ step: 'idle' });
  if (!admin) return null;
  const fail = (err: unknown): void =>
    setState({ step: 'idle', message: err instanceof ApiError ? err.message : String(err), failed: true });
  const move = async (dryRun: DryRun, extra: { force: true; reason: string } | null): Promise<void> => {
    const body = {
      alias,
      version,
      reason: 'promoted from the console',
      ...(dryRun.from ? { from: dryRun.from } : {}),
      ...extra,
    };
    const result = await api<{ request?: { id: string; approvals: number; needed: number } }>('model/promote', {
      method: 'POST',
      body,
    });
    // Under four eyes the API files a change request (202) instead of moving: nothing moved yet.
    const filed = result.request;
    setState({
      step: 'idle',
      message: filed
        ? `Requested, waiting for approval (change request ${filed.id}: ${filed.approvals} of ${filed.needed}; see Approvals).`
        : 'Done.',
    });
    onDone?.(result);
  };
  const start = async (): Promise<void> => {
    setState({ step: 'busy' });
    try {
      const dryRun = await api<DryRun>('model/promote', { method: 'POST', body: { alias, version, dryRun: true } });
      if (objections(dryRun)) return setState({ step: 'differs', dryRun, reason: '' });
      if (!window.confirm(`Point ${alias} at ${version}${dryRun.from ? ` (now ${dryRun.from}; same contract)` : ''}?`))
        return setState({ step: 'idle' });
      await move(dryRun, null);
    } catch (err) {
      fail(err);
    }
  };
  const force = async (dryRun: DryRun, reason: string): Promise<void> => {
    setState({ step: 'differs', dryRun, reason, message: 'Promoting...' });
    try {
      await move(dryRun, { force: true, reason });
    } catch (err) {
      setState({
        step: 'differs',
        dryRun,
        reason,
        message: err instanceof ApiError ? err.message : String(err),
        failed: true,
      });
    }
  };
  const status = state.message
    ? html` <span class=${state.failed ? 'error' : 'ok'} role="status">${state.message}</span>`
    : null;
  if (state.step !== 'differs') {
    return html`<span class="action">
      <button type="button" disabled=${state.step === 'busy'} onClick=${start}>${state.step === 'busy' ? `Promote to ${alias}...` : `Promote to ${alias}`}</button>${status}
    </span>`;
  }
  const { dryRun, reason } = state;
  const failed = dryRun.policy?.failed ?? [];
  return html`<div class="contract-diff" role="alertdialog" aria-labelledby="contract-diff-title">
    ${
      dryRun.differences.length
        ? html`<p id="contract-diff-title"><strong>${version} does not have ${alias}'s contract</strong>${dryRun.from ? ` (${alias} is ${dryRun.from})` : ''}: clients of ${alias} may get errors or answers in other terms.</p>
          <ul>
            ${dryRun.differences.map((d) => html`<li><code>${d.field}</code>: ${d.message}</li>`)}
          </ul>`
        : null
    }
    ${
      failed.length
        ? html`<p id=${dryRun.differences.length ? 'policy-failed-title' : 'contract-diff-title'}><strong>${version} fails the promotion policy</strong> (revision ${dryRun.policy!.revision}):</p>
          <ul class="policy-failed">
            ${failed.map((f) => html`<li><code>${f.field}</code>: ${f.message}</li>`)}
          </ul>`
        : null
    }
    <label>Why promote it anyway? (recorded in the history)
      <input name="force-reason" value=${reason} maxLength=${500} onInput=${(e: Event) => setState({ ...state, reason: (e.target as HTMLInputElement).value })} />
    </label>
    <span class="action">
      <button type="button" class="danger" disabled=${!reason.trim()} onClick=${() => force(dryRun, reason.trim())}>Promote anyway</button>
      <button type="button" class="secondary" onClick=${() => setState({ step: 'idle', message: 'Not promoted.' })}>Cancel</button>
    </span>${status}
  </div>`;
}
