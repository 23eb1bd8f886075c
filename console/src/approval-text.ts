/** A four-eyes change request (GET /model/approvals, docs/four-eyes.md) as the console shows it, in words. */
import type { ApprovalView } from '../../lib/governance/approval-request.ts';

export type ChangeRequest = ApprovalView;

/** What a request would change, in words: the move, and what the checks found when it was filed. */
export function changeText(r: ChangeRequest): string {
  const move = `${r.alias}: ${r.from ?? '(none)'} -> ${r.to}`;
  const contract = r.preview.differences.length
    ? `contract differs (${r.preview.differences.map((d) => d.field).join(', ')})`
    : 'same contract';
  const policy =
    r.preview.policy === null
      ? 'no promotion policy gate'
      : r.preview.policy.failed.length
        ? `fails policy revision ${r.preview.policy.revision} (${r.preview.policy.failed.map((f) => f.field).join(', ')})`
        : `passes policy revision ${r.preview.policy.revision}`;
  return `${move}; ${contract}; ${policy}${r.force ? '; forced by the requester' : ''}`;
}
