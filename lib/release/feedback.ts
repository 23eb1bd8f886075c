/**
 * Feedback: the true class of a served prediction, sent later by the client
 * (POST /feedback {"requestId", "index"?, "actual"}), stored one document per answer (layout:
 * feedback/), with the answers it labels; the container that accepts it also counts it in its
 * next monitoring summary (PredictionCapture.addLabels), which is what reports read.
 */
import { z } from 'zod';
import { CorruptDocumentError, DocumentStore } from '../state/document-store.ts';
import { daysBetween, keys } from '../state/layout.ts';
import { feedbackRecordSchema, type FeedbackRecord } from '../state/schemas.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import { mapLimit } from '../util/map-limit.ts';

export type { FeedbackRecord };

export const feedbackSchema = z.strictObject({
  requestId: z.string().regex(/^[A-Za-z0-9._:-]{1,128}$/, 'the requestId of a prediction response'),
  index: z.number().int().min(0).default(0),
  actual: z.string().min(1).max(100),
});

export type SavedFeedback = { created: true } | { created: false; existing: FeedbackRecord };

/**
 * Stores the label of one answer, once: a label is a fact about an answer, so a second one for the
 * same answer is not written. The caller tells a retry (the same class: nothing to do) from a
 * contradiction (another class) by the existing record it gets back.
 */
export async function saveFeedback(
  store: ObjectStore,
  model: string,
  answeredAt: number,
  record: FeedbackRecord,
): Promise<SavedFeedback> {
  const docs = new DocumentStore(store);
  const key = keys.feedback(model, answeredAt, record.requestId, record.index);
  if (await docs.create(key, feedbackRecordSchema, record)) return { created: true };
  const existing = await docs.value(key, feedbackRecordSchema);
  if (!existing) throw new Error(`the label at ${key} was there a moment ago and is gone`);
  return { created: false, existing };
}

/**
 * The labels of the answers given on the UTC days from `since` to `until`, by "requestId#index"
 * (an audit read, O(labels): reports count labels from the monitoring summaries instead).
 * Unreadable records are skipped.
 */
export async function readFeedback(
  store: ObjectStore,
  model: string,
  since: number,
  until = Date.now(),
): Promise<Map<string, FeedbackRecord>> {
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
  const labels = new Map<string, FeedbackRecord>();
  for (const record of records) if (record) labels.set(`${record.requestId}#${record.index}`, record);
  return labels;
}

/** The true classes as a plain map "requestId#index" -> class. */
export function actualClasses(feedback: Map<string, FeedbackRecord>): Map<string, string> {
  return new Map([...feedback].map(([key, record]) => [key, record.actual]));
}
