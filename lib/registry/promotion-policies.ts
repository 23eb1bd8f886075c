/**
 * The stored promotion policy of each model (models/{model}/policy.json): changed only by
 * compare-and-swap, each change a new revision whose event names who changed it and why, and is
 * kept in the history (GET /model/history) like a traffic change: the document carries its
 * latest event, and the next change writes that event's copies if its writer stopped short.
 */
import { promotionPolicySchema, type PromotionPolicy } from '../state/promotion-policy-schema.ts';
import type { DocumentStore } from '../state/document-store.ts';
import { keys } from '../state/layout.ts';
import { promotionPolicyDocumentSchema, type PolicyEvent, type PromotionPolicyDocument } from '../state/schemas.ts';
import { timeOrderedId } from '../util/ids.ts';
import { EventTimeline } from './event-timeline.ts';
import { RegistryError } from './model-registry.ts';

export type { PromotionPolicyDocument };

/** What a model without a stored policy is held to: no gate, one approval. */
export const NO_POLICY: PromotionPolicy = promotionPolicySchema.parse({});

export interface PolicyChange {
  policy: PromotionPolicy;
  reason: string;
  actor: string;
  /** Change only if the stored revision is this one (0: only if none is stored); otherwise a 'conflict' RegistryError. */
  expectedRevision?: number;
}

export class PromotionPolicies {
  private readonly timeline: EventTimeline;

  constructor(private readonly docs: DocumentStore) {
    this.timeline = new EventTimeline(docs);
  }

  /** The stored policy document, or null when none was ever set. */
  async get(name: string): Promise<PromotionPolicyDocument | null> {
    return this.docs.value(keys.promotionPolicy(name), promotionPolicyDocumentSchema);
  }

  /** Stores a new revision of the policy, recorded in the history; answers the new document. */
  async set(name: string, change: PolicyChange): Promise<PromotionPolicyDocument> {
    const doc = await this.docs.update(keys.promotionPolicy(name), promotionPolicyDocumentSchema, async (current) => {
      if (current) await this.timeline.record(name, current.value.event, { repair: true });
      const revision = current?.value.revision ?? 0;
      if (change.expectedRevision !== undefined && change.expectedRevision !== revision) {
        throw new RegistryError(
          `the promotion policy is at revision ${revision}, not ${change.expectedRevision}: it changed meanwhile; read it again`,
          'conflict',
        );
      }
      const now = new Date();
      const event: PolicyEvent = {
        kind: 'policy',
        eventId: timeOrderedId(now),
        at: now.toISOString(),
        name,
        revision: revision + 1,
        from: current?.value.policy ?? null,
        to: change.policy,
        reason: change.reason,
        actor: change.actor,
      };
      const next: PromotionPolicyDocument = { revision: revision + 1, policy: change.policy, since: event.at, event };
      return { write: next, result: next };
    });
    // Committed: a history write that fails now is done by the next change (the document carries the event).
    await this.timeline.record(name, doc.event).catch(() => undefined);
    return doc;
  }
}
