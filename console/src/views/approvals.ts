/**
 * Approvals: the four-eyes change requests (docs/four-eyes.md), newest first, each with what its
 * move would change (the contract differences and the policy's verdict, as promote's dry run
 * showed them when it was filed), who asked and who approved. A pending one has Approve and
 * Reject; the API decides who may press them (403 with the reason otherwise: the requester, a
 * legacy plain key, a role too low), and the page shows its words.
 */
import { api } from '../api.ts';
import { html } from '../html.ts';
import { usePoll } from '../poll.ts';
import { ErrorNote, Loading, NeedsKey, Section, when } from '../ui.ts';
import { changeText, type ChangeRequest } from '../approval-text.ts';
import { ActionButton, useAdmin } from './actions.ts';

function RequestRow({ r, reload }: { r: ChangeRequest; reload: () => void }) {
  const approvers = r.approvedBy.map((a) => a.principal.name).join(', ');
  return html`<tr key=${r.id} data-status=${r.status}>
    <td><code>${r.id}</code></td>
    <td>${changeText(r)}${r.preview.differences.length ? html`<ul>${r.preview.differences.map((d) => html`<li><code>${d.field}</code>: ${d.message}</li>`)}</ul>` : null}</td>
    <td title=${r.requestedBy.actor}>${r.requestedBy.name}<br /><span class="why">${r.reason}</span></td>
    <td>${r.approvals} of ${r.needed}${approvers ? html`<br />${approvers}` : null}</td>
    <td>${r.status}${r.outcome?.problem ? html`<br /><span class="why">${r.outcome.problem}</span>` : null}${r.status === 'pending' ? html`<br />until ${when(r.expiresAt)}` : null}</td>
    <td>${
      r.status === 'pending'
        ? html`<${ActionButton} label="Approve" confirm=${`Approve ${r.alias}: ${r.from ?? '(none)'} -> ${r.to}?`} request=${{ path: `model/approvals/${encodeURIComponent(r.id)}/approve`, method: 'POST' }} onDone=${reload} />
          <${ActionButton} label="Reject" confirm="Reject this change request?" request=${{ path: `model/approvals/${encodeURIComponent(r.id)}/reject`, method: 'POST', body: { reason: 'rejected from the console' } }} onDone=${reload} />`
        : null
    }</td>
  </tr>`;
}

export function ApprovalsView() {
  const admin = useAdmin();
  const { data, error, reload } = usePoll(
    () => api<{ requests: ChangeRequest[] }>('model/approvals?limit=50'),
    10_000,
    [],
    admin,
  );
  return html`<${Section} title="Change requests (four eyes)">
    ${admin ? null : html`<${NeedsKey} what="the change requests" />`}
    <${ErrorNote} error=${error} />
    ${admin && !data && !error ? html`<${Loading} what="the change requests" />` : null}
    ${
      data
        ? html`<div class="scroll"><table class="approvals">
          <thead><tr><th>request</th><th>what it changes</th><th>asked by</th><th>approvals</th><th>status</th><th></th></tr></thead>
          <tbody>${data.requests.map((r) => html`<${RequestRow} r=${r} reload=${reload} />`)}</tbody>
        </table></div>
        ${data.requests.length === 0 ? html`<p>No change request yet: they appear when the promotion policy asks for two approvals or more.</p>` : null}`
        : null
    }
  <//>`;
}
