/**
 * Finding a served request among the captured answers, for feedback: feedback names a request
 * by its id (and an instance by its index), and is only worth keeping for an answer that was
 * captured, since reports and the canary join the two. An answer is held in the container's
 * buffer until its batch is written, so the buffer is asked first, then storage.
 */
import { keys, daysBetween } from '../state/layout.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import { mapLimit } from '../util/map-limit.ts';
import { answersOf, parseCaptureLine, type CapturedPrediction, type PredictionCapture } from './prediction-capture.ts';

/**
 * How far back feedback looks for its answer: the longest window a report joins feedback with
 * captures over (GET /model/report?minutes= at most this), so older answers could never count.
 */
export const FEEDBACK_LOOKBACK_MINUTES = 7 * 24 * 60;

/** Batches read at once while searching. */
const PARALLEL_READS = 16;

/**
 * The captured answers of request `requestId` in the lookback window, or null when none was captured. The buffer is asked before storage: a batch leaves it
 * only once written, so an answer is always in one of the two when it is looked for in this order.
 */
export async function capturedAnswers(capture: PredictionCapture, store: ObjectStore, model: string, requestId: string, now = Date.now()): Promise<CapturedPrediction[] | null> {
  const held = capture.heldAnswers(requestId);
  if (held !== null) return held;
  return storedAnswers(store, model, requestId, now - FEEDBACK_LOOKBACK_MINUTES * 60_000, now);
}

/** Searches the stored batches newest first (feedback usually follows its answer soon) and stops at the batch that holds the request. */
export async function storedAnswers(store: ObjectStore, model: string, requestId: string, since: number, until: number): Promise<CapturedPrediction[] | null> {
  // The id as it appears in a batch's JSON lines: most batches are ruled out without parsing.
  const needle = JSON.stringify(requestId);
  for (const day of daysBetween(since, until).reverse()) {
    const batchKeys = (await store.list(keys.captureDay(model, day))).sort().reverse();
    for (let i = 0; i < batchKeys.length; i += PARALLEL_READS) {
      const batches = await mapLimit(batchKeys.slice(i, i + PARALLEL_READS), PARALLEL_READS, (key) => store.get(key));
      const records = [];
      for (const batch of batches) {
        const text = batch ? new TextDecoder().decode(batch.bytes) : '';
        if (!text.includes(needle)) continue;
        for (const line of text.split('\n')) {
          const record = line.includes(needle) ? parseCaptureLine(line) : null;
          if (record) records.push(record);
        }
      }
      const found = answersOf(requestId, [records]);
      if (found !== null) return found;
    }
  }
  return null;
}
