/**
 * One run of the canary controller (every minute from a schedule, or on demand): judge the
 * current step from the captures and feedback since it began, then advance, promote or roll
 * back. Running it twice, or on two hosts at once, changes nothing more than running it once:
 *   - the step and its start live in the traffic document (its revision and `since`);
 *   - an action is a compare-and-swap of that document conditional on the revision judged, so
 *     of two controllers judging the same step only one acts; the other finds the revision
 *     moved on and does nothing;
 *   - a promotion is written as an intent in the same swap (pendingPromotion) and completed by
 *     whoever sees it next, so a controller that stops halfway leaves no half-promoted state.
 * Every action is recorded under canary/decisions/{revision}, every evaluation (holds included)
 * in canary/latest, and the policy and alias changes in the history.
 */
import {
  RegistryError,
  type ModelRegistry,
  type RegistryEvent,
  type TrafficDocument,
} from '../registry/model-registry.ts';
import { keys } from '../state/layout.ts';
import { canaryEvaluationSchema, type CanaryEvaluation } from '../state/schemas.ts';
import { decideCanary, type CanaryDecision } from './canary-decision.ts';
import type { MonitoringReads } from '../monitoring/monitoring-reads.ts';
import type { CanaryPolicy } from './traffic-policy.ts';
import type { VariantStats } from '../monitoring/variant-stats.ts';

export interface CanaryCheckResult {
  mode: string;
  /** The traffic revision judged (null: no policy stored). */
  revision: number | null;
  decision?: CanaryDecision;
  stats?: VariantStats[];
  /** Whether this run changed the policy (false for holds and for a step another run already decided). */
  applied: boolean;
  note?: string;
  events?: RegistryEvent[];
}

const ACTOR = 'canary-controller';

export async function runCanaryCheck(
  registry: ModelRegistry,
  monitoring: Pick<MonitoringReads, 'variantStats'>,
  name: string,
  now = Date.now(),
): Promise<CanaryCheckResult> {
  const events: RegistryEvent[] = await completePendingPromotion(registry, name);
  const doc = await registry.getTraffic(name);
  if (!doc || doc.policy.mode !== 'canary')
    return {
      mode: doc?.policy.mode ?? 'single',
      revision: doc?.revision ?? null,
      applied: false,
      ...(events.length ? { events } : {}),
    };
  const policy = doc.policy;
  const stepStartedAt = Date.parse(doc.since);
  // The step's window from the monitoring summaries: a few dozen reads however long the step ran.
  const stats = await monitoring.variantStats(name, stepStartedAt, now);
  let decision = decideCanary(policy, stats, stepStartedAt, now);

  let change = null;
  if (decision.action === 'promote') {
    const promotion = await promotionOf(registry, name, policy);
    if ('problem' in promotion) decision = { ...decision, action: 'rollback', reasons: [promotion.problem] };
    else
      change = {
        policy: single(policy),
        reason: `canary promoted ${policy.challenger} (${promotion.to}) at 100%: ${decision.reasons.join('; ')}`,
        pendingPromotion: { ...promotion, decisionRevision: doc.revision },
      };
  }
  if (decision.action === 'rollback')
    change = {
      policy: single(policy),
      reason: `canary rolled back at ${policy.steps[policy.step]}%: ${decision.reasons.join('; ')}`,
    };
  if (decision.action === 'advance')
    change = {
      policy: { ...policy, step: policy.step + 1 },
      reason: `canary advanced to ${policy.steps[policy.step + 1]}%: ${decision.reasons.join('; ')}`,
    };

  const evaluation: CanaryEvaluation = {
    at: new Date(now).toISOString(),
    revision: doc.revision,
    step: policy.step,
    action: decision.action,
    reasons: decision.reasons,
    numbers: decision.numbers,
    eventId: null,
  };
  const base = { mode: 'canary', revision: doc.revision, decision, stats };
  if (!change) {
    await recordLatest(registry, name, evaluation);
    return { ...base, applied: false };
  }
  const judged = doc.revision;
  const details = { decision: decision.action, reasons: decision.reasons, numbers: decision.numbers, revision: judged };
  const next = await registry.changeTraffic(name, (current) =>
    current?.revision === judged ? { ...change, actor: ACTOR, details } : null,
  );
  if (!next)
    return {
      ...base,
      applied: false,
      note: `revision ${judged} was changed meanwhile (another controller run or an admin): nothing done`,
    };
  events.push(next.event);
  const applied = { ...evaluation, eventId: next.event.eventId };
  await registry.docs.create(keys.canaryDecision(name, judged), canaryEvaluationSchema, applied);
  await recordLatest(registry, name, applied);
  if (next.pendingPromotion) events.push(...(await completePromotion(registry, name, next)));
  return { ...base, applied: true, events };
}

function single(policy: CanaryPolicy): { mode: 'single'; alias: string } {
  return { mode: 'single', alias: policy.champion };
}

/** What a promotion moves: the champion alias from its version to the challenger's, which must verify. */
async function promotionOf(
  registry: ModelRegistry,
  name: string,
  policy: CanaryPolicy,
): Promise<{ alias: string; from: string; to: string } | { problem: string }> {
  const [champion, challenger] = await Promise.all([
    registry.getAlias(name, policy.champion),
    registry.getAlias(name, policy.challenger),
  ]);
  if (!challenger) return { problem: `alias ${policy.challenger} vanished` };
  if (!champion) return { problem: `alias ${policy.champion} vanished` };
  try {
    await registry.checkVersion(name, challenger.version);
  } catch (err) {
    if (err instanceof RegistryError) return { problem: `the challenger cannot be promoted: ${err.message}` };
    throw err;
  }
  return { alias: policy.champion, from: champion.version, to: challenger.version };
}

/**
 * Completes a canary promotion recorded in the traffic document, if there is one: called by
 * every controller run and before any other traffic change (which would otherwise drop it).
 */
export async function completePendingPromotion(registry: ModelRegistry, name: string): Promise<RegistryEvent[]> {
  const doc = await registry.getTraffic(name).catch(() => null); // an unreadable policy has nothing pending to read
  return doc?.pendingPromotion ? completePromotion(registry, name, doc) : [];
}

/**
 * Moves the alias unless it is there already, or unless someone moved it elsewhere meanwhile
 * (their move stands), then clears the intent. A version that no longer verifies is not
 * promoted: the intent is cleared and the refusal is the answer. Safe to run any number of
 * times, from any host; a storage failure leaves the intent for the next run.
 */
async function completePromotion(
  registry: ModelRegistry,
  name: string,
  doc: TrafficDocument,
): Promise<RegistryEvent[]> {
  const pending = doc.pendingPromotion!;
  let event: RegistryEvent | null = null;
  try {
    event = await registry.moveAlias(
      name,
      pending.alias,
      (current) => (current?.version === pending.from ? pending.to : null),
      {
        reason: `canary promotion decided at traffic revision ${pending.decisionRevision}`,
        actor: ACTOR,
        details: { decisionRevision: pending.decisionRevision },
      },
    );
  } catch (err) {
    if (!(err instanceof RegistryError)) throw err;
    await registry.clearPendingPromotion(name, doc.revision);
    throw new RegistryError(`the canary's promotion of ${pending.to} was abandoned: ${err.message}`, err.code);
  }
  await registry.clearPendingPromotion(name, doc.revision);
  return event ? [event] : [];
}

/** canary/latest.json: the newest evaluation wins; an older one never overwrites it. */
async function recordLatest(registry: ModelRegistry, name: string, evaluation: CanaryEvaluation): Promise<void> {
  await registry.docs.update(
    keys.canaryLatest(name),
    canaryEvaluationSchema,
    (current) =>
      current && current.value.at > evaluation.at
        ? { keep: true, result: undefined }
        : { write: evaluation, result: undefined },
    { onCorrupt: 'replace' },
  );
}

/** The last evaluation (for the console and the report). */
export async function latestCanaryEvaluation(registry: ModelRegistry, name: string): Promise<CanaryEvaluation | null> {
  return registry.docs.value(keys.canaryLatest(name), canaryEvaluationSchema);
}
