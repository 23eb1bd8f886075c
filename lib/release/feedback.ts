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

/** The latest feedback per (requestId, index) given at or after `since` (ms). Unreadable records are skipped. */
export async function readFeedback(store: ObjectStore, model: string, since: number, until = Date.now()): Promise<Map<string, string>> {
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
  const actual = new Map<string, string>();
  for (const record of records) if (record && record.at >= since) actual.set(`${record.requestId}#${record.index}`, record.actual);
  return actual;
}
