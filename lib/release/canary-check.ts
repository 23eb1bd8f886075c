/**
 * One run of the canary controller (every minute, from a schedule): judge the current step
 * from the captures and feedback since it began, then advance, promote or roll back. Every
 * decision, holds included, is recorded with its numbers under models/{name}/canary/; the
 * changes also go to the alias/traffic history, which stays free of the minute-by-minute holds.
 */
import type { ModelRegistry, RegistryEvent } from '../registry/model-registry.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import { timeOrderedId } from '../util/ids.ts';
import { decideCanary, type CanaryDecision } from './canary-decision.ts';
import { readFeedback } from './feedback.ts';
import { readCaptures } from './prediction-capture.ts';
import type { CanaryPolicy } from './traffic-policy.ts';
import { variantStats, type VariantStats } from './variant-stats.ts';

export interface CanaryCheckResult {
  mode: string;
  decision?: CanaryDecision;
  stats?: VariantStats[];
  event?: RegistryEvent;
}

const ACTOR = 'canary-controller';

export async function runCanaryCheck(registry: ModelRegistry, store: ObjectStore, name: string, now = Date.now()): Promise<CanaryCheckResult> {
  const policy = await registry.getTrafficPolicy(name);
  if (policy?.mode !== 'canary') return { mode: policy?.mode ?? 'single' };
  const lastChange = (await registry.history(name)).filter((e) => e.kind === 'traffic').pop();
  const stepStartedAt = lastChange ? Date.parse(lastChange.at) : now;
  const captures = await readCaptures(store, name, stepStartedAt, now);
  const feedback = await readFeedback(store, name, stepStartedAt, now);
  const classes = [...new Set([...captures.map((c) => c.predicted).filter((p): p is string => p !== undefined), ...feedback.values()])].sort();
  const stats = variantStats(captures, feedback, classes);
  const decision = decideCanary(policy, stats, stepStartedAt, now);
  const details = { decision: decision.action, reasons: decision.reasons, numbers: decision.numbers };
  const event = await apply(registry, name, policy, decision, details);
  const record = { at: new Date(now).toISOString(), policy, ...details, eventId: event?.eventId ?? null };
  await store.put(`models/${name}/canary/${timeOrderedId(new Date(now))}.json`, new TextEncoder().encode(JSON.stringify(record)), { contentType: 'application/json' });
  return { mode: 'canary', decision, stats, event };
}

async function apply(registry: ModelRegistry, name: string, policy: CanaryPolicy, decision: CanaryDecision, details: Record<string, unknown>): Promise<RegistryEvent | undefined> {
  const why = decision.reasons.join('; ');
  switch (decision.action) {
    case 'hold':
      return undefined;
    case 'rollback':
      return registry.setTrafficPolicy(name, { mode: 'single', alias: policy.champion }, { reason: `canary rolled back at ${policy.steps[policy.step]}%: ${why}`, actor: ACTOR, details });
    case 'advance':
      return registry.setTrafficPolicy(name, { ...policy, step: policy.step + 1 }, { reason: `canary advanced to ${policy.steps[policy.step + 1]}%: ${why}`, actor: ACTOR, details });
    case 'promote': {
      const challenger = await registry.getAlias(name, policy.challenger);
      if (!challenger) return registry.setTrafficPolicy(name, { mode: 'single', alias: policy.champion }, { reason: `canary stopped: alias ${policy.challenger} vanished`, actor: ACTOR, details });
      await registry.setAlias(name, policy.champion, challenger.version, { reason: `canary promoted ${policy.challenger} at 100%: ${why}`, actor: ACTOR, details });
      return registry.setTrafficPolicy(name, { mode: 'single', alias: policy.champion }, { reason: `canary complete: ${policy.champion} now serves ${challenger.version}`, actor: ACTOR, details });
    }
  }
}
