/**
 * Feedback: the true class of a served prediction, sent later by the client
 * (POST /feedback {"requestId", "index"?, "actual"}), stored one document per answer (layout:
 * feedback/) and joined with the captures by request id and index.
 */
import { z } from 'zod';
import { CorruptDocumentError, DocumentStore } from '../state/document-store.ts';
import { daysBetween, keys } from '../state/layout.ts';
import { feedbackRecordSchema, type FeedbackRecord } from '../state/schemas.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import { mapLimit } from '../util/map-limit.ts';
import { timeOrderedId } from '../util/ids.ts';
import type { LabelledConfusion } from './variant-stats.ts';

export type { FeedbackRecord };

export const feedbackSchema = z.strictObject({
  requestId: z.string().regex(/^[A-Za-z0-9._:-]{1,128}$/, 'the requestId of a prediction response'),
  index: z.number().int().min(0).default(0),
  actual: z.string().min(1).max(100),
});

export async function saveFeedback(store: ObjectStore, model: string, record: FeedbackRecord): Promise<string> {
  const id = timeOrderedId(new Date(record.at));
  await new DocumentStore(store).create(keys.feedback(model, record.at, id), feedbackRecordSchema, record);
  return id;
}

/** The latest feedback per (requestId, index) given in [since, until], by "requestId#index". Unreadable records are skipped. */
export async function readFeedback(store: ObjectStore, model: string, since: number, until = Date.now()): Promise<Map<string, FeedbackRecord>> {
  const docs = new DocumentStore(store);
  const found: string[] = [];
  for (const day of daysBetween(since, until)) found.push(...(await store.list(keys.feedbackDay(model, day))));
  // A record that does not parse is skipped; a storage failure is not (it would hide labels).
  const records = await mapLimit(found, 16, (key) =>
    docs.value(key, feedbackRecordSchema).catch((err: unknown) => {
      if (err instanceof CorruptDocumentError) return null;
      throw err;
    }),
  );
  const latest = new Map<string, FeedbackRecord>();
  for (const record of records) if (record && record.at >= since && record.at <= until) latest.set(`${record.requestId}#${record.index}`, record);
  return latest;
}

/**
 * The labels of the answers given in [since, until], per variant: the true class -> the class
 * the variant gave -> answers. Each label counts once per variant that answered its record.
 */
export function labelledConfusion(feedback: Map<string, FeedbackRecord>, since: number, until: number): LabelledConfusion {
  const confusion: LabelledConfusion = new Map();
  for (const record of feedback.values()) {
    for (const answer of record.answers ?? []) {
      if (answer.at < since || answer.at > until) continue;
      let byActual = confusion.get(answer.variant);
      if (!byActual) confusion.set(answer.variant, (byActual = {}));
      const row = (byActual[record.actual] ??= {});
      row[answer.predicted] = (row[answer.predicted] ?? 0) + 1;
    }
  }
  return confusion;
}

/** The true classes as a plain map "requestId#index" -> class. */
export function actualClasses(feedback: Map<string, FeedbackRecord>): Map<string, string> {
  return new Map([...feedback].map(([key, record]) => [key, record.actual]));
}
