/**
 * When the promotion policy is asked, and what it is shown: a promote (POST /model/promote) asks
 * about the version moved to; a traffic change asks about the alias it starts a canary on (a
 * new challenger) or switches blue-green to (an active colour that was not serving). A rollback
 * never asks (it must work in an incident), nor a canary's own promotion at its last step (its
 * challenger was judged when the canary started). The verdict is read inside the move's
 * compare-and-swap, from the stored policy of that moment and the version's metrics.json and
 * model card (read only when the policy requires card fields).
 */
import { readModelCard, type ModelCard } from '../governance/model-card.ts';
import type { ModelRegistry } from '../registry/model-registry.ts';
import { PromotionPolicies } from '../registry/promotion-policies.ts';
import { StorageError } from '../storage/object-store.ts';
import {
  evaluatePolicy,
  hasGates,
  type PolicyFailure,
  type PolicyVerdict,
  type PromotionPolicy,
} from './promotion-policy.ts';
import { resolvePolicy, type TrafficPolicy } from './traffic-policy.ts';

export interface PromotionGate {
  version: (version: string) => Promise<PolicyVerdict | null>;
  traffic: (before: TrafficPolicy | null, after: TrafficPolicy) => Promise<PolicyVerdict | null>;
}

export function promotionGate(registry: ModelRegistry, name: string): PromotionGate {
  const policies = new PromotionPolicies(registry.docs);
  const current = async (): Promise<{ revision: number; policy: PromotionPolicy } | null> => {
    const doc = await policies.get(name);
    return doc && hasGates(doc.policy) ? doc : null;
  };
  return {
    async version(version) {
      const doc = await current();
      return doc ? { revision: doc.revision, failed: await failuresOf(registry, name, doc.policy, version) } : null;
    },
    async traffic(before, after) {
      const gated = gatedAliases(before, after);
      const doc = gated.length ? await current() : null;
      if (!doc) return null;
      const failed: PolicyFailure[] = [];
      for (const alias of gated) {
        const pointer = await registry.getAlias(name, alias);
        if (!pointer) continue; // a missing alias is the caller's 422
        for (const f of await failuresOf(registry, name, doc.policy, pointer.version))
          failed.push({ field: `${alias}.${f.field}`, message: `${alias} (${pointer.version}): ${f.message}` });
      }
      return { revision: doc.revision, failed };
    },
  };
}

/**
 * The aliases a traffic change hands traffic to that the policy must pass: a canary's challenger
 * unless the policy before was a canary with the same challenger (a step, or new bounds), and a
 * blue-green policy's active alias unless it is the one that served before (the primary route).
 */
export function gatedAliases(before: TrafficPolicy | null, after: TrafficPolicy): string[] {
  if (after.mode === 'canary')
    return before?.mode === 'canary' && before.challenger === after.challenger ? [] : [after.challenger];
  if (after.mode === 'bluegreen') {
    const serving = before ? resolvePolicy(before).routes[0].alias : null;
    return after[after.active] === serving ? [] : [after[after.active]];
  }
  return [];
}

async function failuresOf(
  registry: ModelRegistry,
  name: string,
  policy: PromotionPolicy,
  version: string,
): Promise<PolicyFailure[]> {
  const [metrics, card] = await Promise.all([
    metricsOf(registry, name, version),
    policy.requiredCardFields?.length ? cardOf(registry, name, version) : null,
  ]);
  return evaluatePolicy(policy, { metrics, card });
}

/** metrics.json as stored (null: absent or not JSON, so every metric gate fails as missing). */
async function metricsOf(registry: ModelRegistry, name: string, version: string): Promise<unknown> {
  const object = await registry.versionObject(name, version, 'metrics.json');
  try {
    return object ? (JSON.parse(new TextDecoder().decode(object.bytes)) as unknown) : null;
  } catch {
    return null;
  }
}

/** The version's card, or null when it cannot be made (storage failures are not hidden). */
async function cardOf(registry: ModelRegistry, name: string, version: string): Promise<ModelCard | null> {
  try {
    return await readModelCard(registry, name, version);
  } catch (err) {
    if (err instanceof StorageError) throw err;
    return null;
  }
}
