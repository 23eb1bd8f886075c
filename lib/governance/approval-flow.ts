/**
 * Four eyes on the champion (docs/four-eyes.md). With the model's promotion policy at
 * `approvals: N` (N >= 2), a move of the serving alias is not made by the principal who asks:
 * it becomes a change request that N - 1 other principals approve. When the last approval
 * arrives, the move runs with every check a promote runs (verification, contract, policy
 * gates), from the version the alias held when it was filed: a request made stale by another
 * move fails (409) and stays recorded as failed.
 */
import { mayActAs, readPrincipalActor, type Principal } from '../auth/principal.ts';
import {
  ContractMismatchError,
  PolicyRefusedError,
  RegistryError,
  type ModelRegistry,
} from '../registry/model-registry.ts';
import { PromotionPolicies } from '../registry/promotion-policies.ts';
import { promotionGate } from '../release/promotion-gate.ts';
import type { AliasEvent, ApprovalEvent } from '../state/schemas.ts';
import { conflictWith, DomainError, notAllowed } from '../util/domain-error.ts';
import { timeOrderedId } from '../util/ids.ts';
import {
  approvalsSoFar,
  principalRecord,
  requireNamedPrincipal,
  statusAt,
  type ApprovalRequest,
  type PrincipalRecord,
} from './approval-request.ts';
import { ApprovalRequests } from './approval-requests.ts';

/**
 * How many principals a move of `alias` needs: the policy's `approvals` for the serving alias
 * (a champion move), 1 for any other alias (a challenger, a colour not serving: moving it
 * changes no answer; what would hand it traffic is checked where traffic changes).
 */
export async function approvalsNeeded(
  registry: ModelRegistry,
  model: string,
  alias: string,
  servingAlias: string,
): Promise<number> {
  if (alias !== servingAlias) return 1;
  return (await new PromotionPolicies(registry.docs).get(model))?.policy.approvals ?? 1;
}

/**
 * What a promote or rollback route does first: a champion move under four eyes is filed as a
 * change request (answered 202); null when the move needs one principal and is made now.
 */
export async function fileIfFourEyes(
  registry: ModelRegistry,
  ask: MoveAsk,
  principal: Principal | undefined,
  settings: { servingAlias: string; expiryHours: number },
): Promise<ApprovalRequest | null> {
  const needed = await approvalsNeeded(registry, ask.model, ask.alias, settings.servingAlias);
  return needed > 1 ? fileChangeRequest(registry, ask, principal, { needed, expiryHours: settings.expiryHours }) : null;
}

/** A champion move someone asks for. */
export interface MoveAsk {
  model: string;
  alias: string;
  to: string;
  reason: string;
  force: boolean;
  origin: ApprovalRequest['origin'];
  /** The `from` the caller sent: file only if the alias points there now (409 otherwise). */
  expectedFrom?: string;
}

/**
 * Files a change request for a move that needs `needed` principals, after the checks its move
 * will run (the version verifies, 404/422; its contract, 409 contract_mismatch; the policy's
 * gates for a promote, 409 policy_refused; each unless `force`), so nobody is asked to approve a
 * move that would be refused. The request keeps what the move would change (its preview).
 */
export async function fileChangeRequest(
  registry: ModelRegistry,
  ask: MoveAsk,
  principal: Principal | undefined,
  options: { needed: number; expiryHours: number; now?: Date },
): Promise<ApprovalRequest> {
  const requester = requireNamedPrincipal(principal, 'file a champion move that needs approval');
  const now = options.now ?? new Date();
  const comparison = await registry.compareWithAlias(ask.model, ask.alias, ask.to);
  if (ask.expectedFrom !== undefined && comparison.from !== ask.expectedFrom) {
    throw new RegistryError(
      `alias "${ask.alias}" points at ${comparison.from ?? 'nothing'}, not ${ask.expectedFrom}: it moved meanwhile`,
      'conflict',
    );
  }
  if (comparison.from === ask.to)
    throw conflictWith(`alias "${ask.alias}" points at ${ask.to} already: there is nothing to approve`);
  // A rollback is never gated by the policy (lib/release/promotion-gate.ts): its request is not either.
  const policy = ask.origin === 'rollback' ? null : await promotionGate(registry, ask.model).version(ask.to);
  const listed = (items: { field: string; message: string }[]): string =>
    items.map((d) => `${d.field}: ${d.message}`).join('; ');
  if (comparison.differences.length && !ask.force) {
    throw new ContractMismatchError(
      `version ${ask.to} cannot replace ${comparison.from} at alias "${ask.alias}": their contracts differ (${listed(comparison.differences)}); send force with a reason to ask for it anyway`,
      comparison.differences,
    );
  }
  if (policy?.failed.length && !ask.force) {
    throw new PolicyRefusedError(
      `version ${ask.to} cannot move to alias "${ask.alias}": it fails the promotion policy (revision ${policy.revision}): ${listed(policy.failed)}; send force with a reason to ask for it anyway`,
      policy.failed,
    );
  }
  const id = timeOrderedId(now);
  const by = principalRecord(requester);
  const base = { model: ask.model, alias: ask.alias, from: comparison.from, to: ask.to, reason: ask.reason };
  const request: ApprovalRequest = {
    id,
    ...base,
    origin: ask.origin,
    force: ask.force,
    requestedBy: by,
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + options.expiryHours * 3_600_000).toISOString(),
    needed: options.needed,
    approvedBy: [],
    status: 'pending',
    preview: { differences: comparison.differences, policy },
    events: [
      step(base, id, 'requested', by, now, {
        origin: ask.origin,
        needed: options.needed,
        ...(ask.force ? { force: true } : {}),
      }),
    ],
  };
  return new ApprovalRequests(registry.docs).file(request);
}

/** What approving answered: the request as it is now, and the move's event when this approval made it. */
export interface Approved {
  request: ApprovalRequest;
  event: AliasEvent | null;
}

/**
 * One more principal approves. The requester cannot (403), nor a legacy plain key (403), nor
 * anyone twice (409); an expired or decided request cannot be approved (409). The approval that
 * completes the count claims the move in the same compare-and-swap (status "moving"), so of two
 * approvers at once one makes the move and the other is told it was done.
 */
export async function approveChangeRequest(
  registry: ModelRegistry,
  model: string,
  id: string,
  principal: Principal | undefined,
  now = new Date(),
): Promise<Approved> {
  const approver = requireNamedPrincipal(principal, 'approve a champion move');
  const by = principalRecord(approver);
  const requests = new ApprovalRequests(registry.docs);
  const request = await requests.change(model, id, (current) => {
    const status = statusAt(current, now.getTime());
    if (status === 'moving') return { keep: true, result: current }; // its maker may have stopped: finished below
    if (status !== 'pending') throw decided(current, status);
    if (approver.id === current.requestedBy.id)
      throw notAllowed(`${approver.name} filed change request ${id}: four eyes needs another principal to approve it`);
    if (current.approvedBy.some((a) => a.principal.id === approver.id))
      throw conflictWith(
        `${approver.name} approved change request ${id} already: it needs ${current.needed - approvalsSoFar(current)} more from other principals`,
      );
    const approvedBy = [...current.approvedBy, { principal: by, at: now.toISOString() }];
    const complete = 1 + approvedBy.length >= current.needed;
    const next: ApprovalRequest = {
      ...current,
      approvedBy,
      status: complete ? 'moving' : 'pending',
      events: [
        ...current.events,
        step(current, id, 'approved', by, now, { approvals: 1 + approvedBy.length, needed: current.needed }),
      ],
    };
    return { write: next, result: next };
  });
  if (request.status !== 'moving') return { request, event: null };
  const claimedByThisCall = request.approvedBy.at(-1)?.principal.id === approver.id;
  const finished = await finishMove(registry, request);
  if (!claimedByThisCall) throw decided(finished.request, finished.request.status);
  return finished;
}

/**
 * Makes the move of a request whose approvals are complete, once: from the version the alias
 * held when it was filed (expectedFrom), with the contract check and (but for a rollback) the
 * policy's gates, `force` as the requester asked. Safe to run again (a second approver, a retry
 * after a crash): a move already made for this request is found at the alias and not repeated.
 * A refused move marks the request failed and is thrown, so the caller answers its 409.
 */
async function finishMove(registry: ModelRegistry, request: ApprovalRequest): Promise<Approved> {
  const { model, alias, id } = request;
  const last = request.approvedBy.at(-1)!.principal;
  const approval = {
    requestId: id,
    requestedBy: request.requestedBy.actor,
    approvedBy: request.approvedBy.map((a) => a.principal.actor),
  };
  let event: AliasEvent | null = null;
  let refusal: RegistryError | null = null;
  try {
    event = await registry.moveAlias(model, alias, request.to, {
      reason: `${request.reason} (change request ${id}, approved by ${request.approvedBy.map((a) => a.principal.name).join(', ')})`,
      actor: last.actor,
      expectedFrom: request.from,
      force: request.force,
      details: { approval },
      ...(request.origin === 'rollback' ? {} : { gate: promotionGate(registry, model).version }),
    });
  } catch (err) {
    if (!(err instanceof RegistryError)) throw err; // storage: the request stays "moving", and the next approval call finishes it
    const now = await registry.getAlias(model, alias);
    const details = now && 'details' in now.event ? now.event.details : undefined;
    const made = (details?.approval as { requestId?: unknown } | undefined)?.requestId === id;
    if (made) event = now!.event;
    else refusal = err;
  }
  const at = new Date();
  const settled = await new ApprovalRequests(registry.docs).change(model, id, (current) => {
    if (current.status !== 'moving') return { keep: true, result: current };
    const next: ApprovalRequest = refusal
      ? {
          ...current,
          status: 'failed',
          decidedAt: at.toISOString(),
          outcome: { problem: refusal.message },
          events: [...current.events, step(current, id, 'failed', last, at, { problem: refusal.message })],
        }
      : { ...current, status: 'done', decidedAt: at.toISOString(), outcome: { eventId: event!.eventId } };
    return { write: next, result: next };
  });
  if (refusal) throw refusal;
  return { request: settled, event };
}

/**
 * A rejection by an approver, or the requester withdrawing their own request (an operator may);
 * only a pending request that has not expired. A legacy key may reject: stopping a change needs
 * no second pair of eyes.
 */
export async function rejectChangeRequest(
  registry: ModelRegistry,
  model: string,
  id: string,
  principal: Principal,
  reason: string | undefined,
  now = new Date(),
): Promise<ApprovalRequest> {
  const by = principalRecord(principal);
  return new ApprovalRequests(registry.docs).change(model, id, (current) => {
    const status = statusAt(current, now.getTime());
    if (status !== 'pending') throw decided(current, status);
    const withdrawing = principal.id === current.requestedBy.id;
    if (!withdrawing && !mayActAs(principal, 'approver'))
      throw notAllowed(
        `rejecting another principal's change request needs the approver role; ${principal.name} has ${by.role ?? 'no role'} (the requester may withdraw their own)`,
      );
    const action = withdrawing ? 'withdrawn' : 'rejected';
    const why = reason?.trim() || `${action} through the admin API`;
    const next: ApprovalRequest = {
      ...current,
      status: action,
      decidedAt: now.toISOString(),
      decidedBy: by,
      outcome: { problem: why },
      events: [...current.events, step(current, id, action, by, now, { why })],
    };
    return { write: next, result: next };
  });
}

/** 409 for a request that can no longer be approved or rejected, saying what became of it. */
function decided(request: ApprovalRequest, status: ReturnType<typeof statusAt>): DomainError {
  const names = request.approvedBy.map((a) => a.principal.name).join(', ');
  const what: Record<typeof status, string> = {
    pending: 'is pending',
    expired: `expired at ${request.expiresAt} without its ${request.needed} approvals: file it again`,
    moving: `was approved by ${names}; its move is being made`,
    done: `was approved by ${names} and is done (history event ${request.outcome?.eventId ?? '?'})`,
    failed: `was approved by ${names} but its move was refused: ${request.outcome?.problem ?? ''}`,
    rejected: `was rejected by ${request.decidedBy?.name ?? '?'}: ${request.outcome?.problem ?? ''}`,
    withdrawn: `was withdrawn by ${request.decidedBy?.name ?? '?'}: ${request.outcome?.problem ?? ''}`,
  };
  return conflictWith(
    `change request ${request.id} ${what[status]}`,
    status === 'expired' ? 'request_expired' : 'request_decided',
  );
}

/** One step of a request as the history records it. */
function step(
  request: Pick<ApprovalRequest, 'model' | 'alias' | 'from' | 'to' | 'reason'>,
  requestId: string,
  action: ApprovalEvent['action'],
  by: PrincipalRecord,
  at: Date,
  details: Record<string, unknown>,
): ApprovalEvent {
  return {
    kind: 'approval',
    eventId: timeOrderedId(at),
    at: at.toISOString(),
    name: request.model,
    requestId,
    action,
    alias: request.alias,
    from: request.from,
    to: request.to,
    reason: request.reason,
    actor: by.actor,
    details,
  };
}

/**
 * A retrain job asked to promote (`promote: true`, or "if-better" and better) under four eyes:
 * the job files a change request in its requester's name instead of moving the champion, and
 * says so in its decision. A job started by a legacy plain key, by drift or by a schedule has
 * no named requester: it registers the version and files nothing (the decision says why).
 */
export async function requestRetrainPromotion(
  registry: ModelRegistry,
  job: { jobId: string; model: string; alias: string; requestedBy: string },
  version: string,
  why: string,
  options: { needed: number; expiryHours: number },
): Promise<string> {
  const actor = readPrincipalActor(job.requestedBy);
  const principal: Principal | undefined =
    actor && actor.role ? { id: actor.id, name: actor.name, roles: [actor.role], via: actor.via } : undefined;
  if (!principal || principal.via === 'legacy api key') {
    return `${why}; registered, not promoted: the promotion policy needs ${options.needed} principals for a champion move, and the job's requester (${job.requestedBy}) is not a named principal who can file a change request`;
  }
  try {
    const filed = await fileChangeRequest(
      registry,
      {
        model: job.model,
        alias: job.alias,
        to: version,
        reason: `retrain job ${job.jobId}: ${why}`,
        force: false,
        origin: 'retrain',
      },
      principal,
      options,
    );
    return `${why}; change request ${filed.id} filed for ${principal.name}: waiting for ${options.needed - 1} more approval(s)`;
  } catch (err) {
    if (err instanceof DomainError || err instanceof RegistryError)
      return `${why}; registered, not promoted: its change request was refused (${err.message})`;
    throw err;
  }
}
