/**
 * History events (GET /model/history) in words: what changed, and who changed it.
 */
import { readPrincipalActor } from '../../lib/auth/principal.ts';
import { trafficChangeText, type AliasLabel, type PolicyShape } from './policy-text.ts';

export interface HistoryEvent {
  kind: 'alias' | 'traffic' | 'policy' | 'approval';
  /** A change request's step (four eyes): the request and what happened to it. */
  requestId?: string;
  action?: string;
  /** A traffic or promotion policy change's new revision. */
  revision?: number;
  eventId: string;
  at: string;
  actor?: string;
  alias?: string;
  from?: unknown;
  to?: unknown;
  reason?: string;
  details?: Record<string, unknown>;
}

/**
 * Who made a change, as a name. The API stores an actor string: the principal that called an
 * admin route (`alice (operator, api key)`, lib/auth/principal.ts describePrincipal; shown by its
 * name), `admin-api {request id}` in events stored before principals (an admin key had no name),
 * `canary-controller` (lib/release/canary-check.ts), and for a retrain job's moves the retrain
 * request's actor, the job being in `details.job` or in the reason (lib/retrain/run-retrain-job.ts).
 * The whole actor stays in the line's tooltip.
 */
export function actorName(event: HistoryEvent): string {
  const actor = event.actor ?? '';
  const principal = readPrincipalActor(actor)?.name;
  const job =
    typeof event.details?.job === 'string' ? event.details.job : /^retrain job (\S+?):/.exec(event.reason ?? '')?.[1];
  if (job) return principal ? `retrain job ${job} for ${principal}` : `retrain job ${job}`;
  if (principal) return principal;
  if (actor === 'canary-controller') return 'canary controller';
  if (/^admin-api\b/.test(actor)) return 'admin API';
  return actor || 'unknown';
}

/**
 * Where each alias pointed at each event, from the alias moves among `events` (oldest first):
 * after its latest move before the event, else before its first move after it. Null when the
 * page holds no move of the alias (its history is older than the page).
 */
export function aliasVersions(events: HistoryEvent[]): (alias: string, index: number) => string | null {
  const moves = new Map<string, { index: number; from: string | null; to: string }[]>();
  events.forEach((e, index) => {
    if (e.kind !== 'alias' || !e.alias) return;
    const list = moves.get(e.alias) ?? [];
    list.push({ index, from: typeof e.from === 'string' ? e.from : null, to: String(e.to) });
    moves.set(e.alias, list);
  });
  return (alias, index) => {
    const list = moves.get(alias) ?? [];
    const before = list.filter((m) => m.index < index).pop();
    if (before) return before.to;
    return list.find((m) => m.index > index)?.from ?? null;
  };
}

/** What an event changed: "alias champion: v1 -> v2", "traffic: canary 10% -> 25% to challenger (v2)". */
export function eventText(event: HistoryEvent, label: AliasLabel): string {
  if (event.kind === 'alias') {
    return event.from
      ? `alias ${event.alias}: ${String(event.from)} -> ${String(event.to)}`
      : `alias ${event.alias}: set to ${String(event.to)}`;
  }
  if (event.kind === 'policy') return `promotion policy: revision ${event.revision ?? '?'}`;
  if (event.kind === 'approval')
    return `change request ${event.requestId ?? '?'} ${event.action ?? '?'}: ${event.alias} ${typeof event.from === 'string' ? event.from : '(none)'} -> ${String(event.to)}`;
  return `traffic: ${trafficChangeText(event.from as PolicyShape | null, event.to as PolicyShape, label)}`;
}
