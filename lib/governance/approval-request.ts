/**
 * A four-eyes change request: a champion move that one principal asked for and that waits for
 * the approvals the model's promotion policy needs (`approvals: N`, the requester counting as
 * the first). What it is, the rules of who may approve it, and how it reads back. Stored and
 * changed by approval-requests.ts; the flow that files and carries it out: approval-flow.ts;
 * docs/four-eyes.md.
 */
import { z } from 'zod';
import { describePrincipal, highestRole, type Principal } from '../auth/principal.ts';
import { NAME_PATTERN } from '../state/layout.ts';
import { approvalEventSchema } from '../state/schemas.ts';
import { notAllowed } from '../util/domain-error.ts';

const name = z.string().regex(NAME_PATTERN);
const isoTime = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'an ISO 8601 time');

/** A principal as a request keeps it: `id` compares two principals, `actor` is how the history names it. */
export const principalRecordSchema = z.object({
  id: z.string(),
  name: z.string(),
  role: z.string().nullable(),
  via: z.string(),
  actor: z.string(),
});
export type PrincipalRecord = z.output<typeof principalRecordSchema>;

/**
 * pending: waiting for approvals; moving: the last approval arrived and the move is being made;
 * done: moved (outcome.eventId); failed: the move was refused (outcome.problem: stale, contract,
 * policy); rejected by an approver; withdrawn by its requester. `expired` is never stored: a
 * pending request past its expiresAt reads as expired.
 */
export const STORED_STATUSES = ['pending', 'moving', 'done', 'failed', 'rejected', 'withdrawn'] as const;
export type ApprovalStatus = (typeof STORED_STATUSES)[number] | 'expired';

export const approvalRequestSchema = z.object({
  id: name,
  model: name,
  alias: name,
  /** The version the alias held when the request was filed: the move happens only from there (409 otherwise). */
  from: name.nullable(),
  to: name,
  /** The route (or job) that asked for the move. */
  origin: z.enum(['promote', 'rollback', 'retrain']),
  reason: z.string(),
  /** Move past a contract difference or failed policy gates (the requester gave the reason). */
  force: z.boolean(),
  requestedBy: principalRecordSchema,
  createdAt: isoTime,
  expiresAt: isoTime,
  /** Principals needed, the requester included (the policy's `approvals` when filed). */
  needed: z.number().int().min(2),
  /** Everyone who approved after the requester, in order. */
  approvedBy: z.array(z.object({ principal: principalRecordSchema, at: isoTime })),
  status: z.enum(STORED_STATUSES),
  /** What the move would change when filed, as promote's dry run shows it: contract differences and the policy's verdict. */
  preview: z.object({
    differences: z.array(z.object({ field: z.string(), message: z.string() })),
    policy: z
      .object({ revision: z.number(), failed: z.array(z.object({ field: z.string(), message: z.string() })) })
      .nullable(),
  }),
  decidedAt: isoTime.optional(),
  decidedBy: principalRecordSchema.optional(),
  /** done: the move's history event; failed, rejected, withdrawn: why. */
  outcome: z.object({ eventId: name.optional(), problem: z.string().optional() }).optional(),
  /** The request's own steps, as the history records them (the latest is written again by the next change if its writer stopped short). */
  events: z.array(approvalEventSchema),
});
export type ApprovalRequest = z.output<typeof approvalRequestSchema>;

/** POST /model/approvals/{id}/reject's body: why (kept in the request and the history). */
export const rejectRequestSchema = z.strictObject({ reason: z.string().max(500).optional() });

export function principalRecord(principal: Principal): PrincipalRecord {
  return {
    id: principal.id,
    name: principal.name,
    role: highestRole(principal.roles),
    via: principal.via,
    actor: describePrincipal(principal),
  };
}

/**
 * Four eyes compares principals by id, so each must be a person (or a named system): a legacy
 * plain key is `admin-key-N`, shared by whoever holds it. It may neither file a move that needs
 * approval nor approve one.
 */
export function requireNamedPrincipal(principal: Principal | undefined, what: string): Principal {
  if (!principal) throw notAllowed(`${what} needs a named principal`);
  if (principal.via === 'legacy api key') {
    throw notAllowed(
      `${principal.id} is a legacy plain admin key, shared and not a person: four eyes needs named principals to ${what} (a name:role:key API key or an OIDC token, docs/identities.md)`,
    );
  }
  return principal;
}

/** The request's status at `now`: a pending request past its expiry is expired. */
export function statusAt(request: ApprovalRequest, now: number): ApprovalStatus {
  return request.status === 'pending' && now >= Date.parse(request.expiresAt) ? 'expired' : request.status;
}

/** How many principals have approved so far, the requester included. */
export function approvalsSoFar(request: ApprovalRequest): number {
  return 1 + request.approvedBy.length;
}

/** A request as the API answers it (and the console reads it): the stored fields but its steps (they are in the history), with its status now and its count of approvals. */
export type ApprovalView = Omit<ApprovalRequest, 'events' | 'status'> & { status: ApprovalStatus; approvals: number };

export function approvalView(request: ApprovalRequest, now: number): ApprovalView {
  const { events: _events, ...rest } = request;
  return { ...rest, status: statusAt(request, now), approvals: approvalsSoFar(request) };
}
