/**
 * Feedback: the true class of a served prediction, sent later by the client
 * (POST /feedback {"requestId", "index"?, "actual"}), stored one object per answer under
 * feedback/{model}/{day}/ and joined with the captures by request id and index.
 */
import { z } from 'zod';
import type { ObjectStore } from '../storage/object-store.ts';
import { timeOrderedId } from '../util/ids.ts';

export const feedbackSchema = z.strictObject({
  requestId: z.string().regex(/^[A-Za-z0-9._:-]{1,128}$/, 'the requestId of a prediction response'),
  index: z.number().int().min(0).default(0),
  actual: z.string().min(1).max(100),
});

export interface FeedbackRecord {
  requestId: string;
  index: number;
  actual: string;
  at: number;
}

export async function saveFeedback(store: ObjectStore, model: string, record: FeedbackRecord): Promise<string> {
  const id = timeOrderedId(new Date(record.at));
  await store.put(`feedback/${model}/${new Date(record.at).toISOString().slice(0, 10)}/${id}.json`, new TextEncoder().encode(JSON.stringify(record)), { contentType: 'application/json' });
  return id;
}

/** The latest feedback per (requestId, index) given at or after `since` (ms). */
export async function readFeedback(store: ObjectStore, model: string, since: number, until = Date.now()): Promise<Map<string, string>> {
  const actual = new Map<string, string>();
  for (let day = Date.UTC(new Date(since).getUTCFullYear(), new Date(since).getUTCMonth(), new Date(since).getUTCDate()); day <= until; day += 86_400_000) {
    for (const key of await store.list(`feedback/${model}/${new Date(day).toISOString().slice(0, 10)}/`)) {
      const bytes = await store.get(key);
      if (!bytes) continue;
      const record = JSON.parse(new TextDecoder().decode(bytes)) as FeedbackRecord;
      if (record.at >= since) actual.set(`${record.requestId}#${record.index}`, record.actual);
    }
  }
  return actual;
}
