/**
 * Finding a served request among the captured answers, for feedback: feedback names a request
 * by its id (and an instance by its index), and is only worth keeping for an answer that was
 * captured. An answer is held in the container's buffer until its batch is written, so the
 * buffer is asked first, then storage.
 *
 * In storage the request id says where to look (lib/util/instance-ids.ts): the instance that
 * answered wrote the answer in the first batch it cut after the request began (or, if a cut fell
 * while the request ran, the one after). Batch keys sort by cut time and carry the instance, so
 * one listing from the request's time finds that instance's next batches, and one read finds the
 * answer: two reads for an answer, one or two for an id that was never answered, whatever the
 * traffic. Ids of another shape (never issued by this service) cost nothing: they are not found.
 */
import { keys } from '../state/layout.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import { idStampOf, parseInstanceOrderedId } from '../util/instance-ids.ts';
import { answersOf, parseCaptureLine, type CapturedPrediction, type PredictionCapture } from './prediction-capture.ts';

/**
 * How far back feedback looks for its answer: the longest window a report joins feedback with
 * captures over (GET /model/report?minutes= at most this), so older answers could never count.
 */
export const FEEDBACK_LOOKBACK_MINUTES = 7 * 24 * 60;

/** Keys per listing page: the instance's next batch is normally among the next few dozen keys of the hour. */
const PAGE_KEYS = 500;
/** Listing pages and batches read at most: bounded whatever the store holds. */
const MAX_PAGES = 20;
const MAX_BATCHES = 3;
/**
 * A batch is cut at most CAPTURE_FLUSH_SECONDS (10 s by default) after its answers were added,
 * and keeps that key through retries: batches cut this long after the request began cannot hold it.
 */
const CUT_HORIZON_MS = 5 * 60_000;

export interface AnswerLookup {
  answers: CapturedPrediction[] | null;
  /** Storage calls made (listings and reads). */
  reads: number;
}

/**
 * The captured answers of request `requestId`, or null when none was captured in the lookback
 * window. The buffer is asked before storage: a batch leaves it only once written, so an answer is
 * always in one of the two when it is looked for in this order.
 */
export async function capturedAnswers(capture: PredictionCapture, store: ObjectStore, model: string, requestId: string, now = Date.now()): Promise<AnswerLookup> {
  const held = capture.heldAnswers(requestId);
  if (held !== null) return { answers: held, reads: 0 };
  return storedAnswers(store, model, requestId, now);
}

export async function storedAnswers(store: ObjectStore, model: string, requestId: string, now = Date.now()): Promise<AnswerLookup> {
  const id = parseInstanceOrderedId(requestId);
  if (!id || id.at < now - FEEDBACK_LOOKBACK_MINUTES * 60_000 || id.at > now + 60_000) return { answers: null, reads: 0 };
  let reads = 0;
  const batches: string[] = [];
  // The instance's batches cut at or after the request began, in key (cut time) order.
  let hour = Math.floor(id.at / 3_600_000) * 3_600_000;
  let startAfter: string | undefined = `${keys.captureHour(model, id.at)}${idStampOf(id.at)}`;
  const horizon = id.at + CUT_HORIZON_MS;
  let beyond = false;
  for (let page = 0; page < MAX_PAGES && batches.length < MAX_BATCHES && !beyond && hour <= Math.min(now, horizon); page++) {
    const prefix = keys.captureHour(model, hour);
    const listed = await store.listPage(prefix, { maxKeys: PAGE_KEYS, ...(startAfter ? { startAfter } : {}) });
    reads++;
    for (const key of listed.keys) {
      const batch = parseInstanceOrderedId(key.slice(prefix.length, -'.ndjson'.length));
      if (batch && batch.at > horizon) {
        beyond = true;
        break;
      }
      if (batch?.instance === id.instance) batches.push(key);
      if (batches.length === MAX_BATCHES) break;
    }
    if (listed.more && listed.keys.length) startAfter = listed.keys[listed.keys.length - 1];
    else {
      hour += 3_600_000;
      startAfter = undefined;
    }
  }
  // The id as it appears in a batch's JSON lines: the other lines are not parsed.
  const needle = JSON.stringify(requestId);
  for (const key of batches) {
    const batch = await store.get(key);
    reads++;
    const text = batch ? new TextDecoder().decode(batch.bytes) : '';
    const records = text.includes(needle) ? text.split('\n').filter((line) => line.includes(needle)).map(parseCaptureLine).filter((r): r is CapturedPrediction => r !== null) : [];
    const found = answersOf(requestId, [records]);
    if (found) return { answers: found, reads };
  }
  return { answers: null, reads };
}
