/**
 * Finding a served request among the captured answers, for feedback: feedback names a request
 * by its id (and an instance by its index), and is only worth keeping for an answer that was
 * captured. An answer is held in the container's buffer until its batch is written, so the
 * buffer is asked first, then storage.
 *
 * In storage the request id says where to look (lib/util/instance-ids.ts): the instance that
 * answered put the answer in a batch keyed by the time of that batch's first answer, and a batch
 * spans at most CAPTURE_FLUSH_SECONDS (PredictionCapture cuts what it holds before anything newer
 * joins it). So the batch holding an answer to a request begun at t is that instance's last batch
 * keyed at or before t, or one keyed while the request ran; one listing of the keys from
 * t - span to t + REQUEST_MAX_MS finds them, and one read finds the answer: two calls for an
 * answer, whatever the traffic. An id that was never answered costs the listing and at most
 * MAX_BATCHES reads of that instance's batches; an id of another shape (never issued by this
 * service) costs nothing: it is not found.
 */
import { dayOf, keys } from '../state/layout.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import { idStampOf, parseInstanceOrderedId } from '../util/instance-ids.ts';
import { answersOf, parseCaptureLine, type CapturedPrediction, type PredictionCapture } from './prediction-capture.ts';

/**
 * How far back feedback looks for its answer: the longest report window (GET /model/report?minutes=
 * at most this), so an older label could hardly be read with its answer.
 */
export const FEEDBACK_LOOKBACK_MINUTES = 7 * 24 * 60;

/** Keys per listing page: a minute or two of every instance's batches fits in one. */
const PAGE_KEYS = 1_000;
/** Listing pages and batches read at most: bounded whatever the store holds. */
const MAX_PAGES = 10;
const MAX_BATCHES = 3;
/** The longest a request runs before its answers are captured (the functions time out well before). */
const REQUEST_MAX_MS = 60_000;

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
export async function capturedAnswers(
  capture: PredictionCapture,
  store: ObjectStore,
  model: string,
  requestId: string,
  batchSpanMs: number,
  now = Date.now(),
): Promise<AnswerLookup> {
  const held = capture.heldAnswers(requestId);
  if (held !== null) return { answers: held, reads: 0 };
  return storedAnswers(store, model, requestId, batchSpanMs, now);
}

/** `batchSpanMs`: the capture's flush interval (CAPTURE_FLUSH_SECONDS), the longest a batch spans. */
export async function storedAnswers(
  store: ObjectStore,
  model: string,
  requestId: string,
  batchSpanMs: number,
  now = Date.now(),
): Promise<AnswerLookup> {
  const id = parseInstanceOrderedId(requestId);
  if (!id || id.at < now - FEEDBACK_LOOKBACK_MINUTES * 60_000 || id.at > now + 60_000)
    return { answers: null, reads: 0 };
  let reads = 0;
  // The instance's batches keyed from one span before the request to the longest it can run.
  const from = id.at - batchSpanMs;
  const to = id.at + REQUEST_MAX_MS;
  const instanceBatches: { key: string; at: number }[] = [];
  // One listing of the day's keys from `from` runs on across its hours (hour folders sort in
  // time); only a range across midnight takes a second day.
  let day = Math.floor(from / 86_400_000) * 86_400_000;
  let startAfter: string | undefined = `${keys.captureHour(model, from)}${idStampOf(from)}`;
  let beyond = false;
  for (let page = 0; page < MAX_PAGES && !beyond && day <= to; page++) {
    const prefix = keys.captureDay(model, dayOf(day));
    const listed = await store.listPage(prefix, { maxKeys: PAGE_KEYS, ...(startAfter ? { startAfter } : {}) });
    reads++;
    for (const key of listed.keys) {
      const batch = parseInstanceOrderedId(key.slice(key.lastIndexOf('/') + 1, -'.ndjson'.length));
      if (batch && batch.at > to) {
        beyond = true;
        break;
      }
      if (batch?.instance === id.instance) instanceBatches.push({ key, at: batch.at });
    }
    if (listed.more && listed.keys.length) startAfter = listed.keys[listed.keys.length - 1];
    else {
      day += 86_400_000;
      startAfter = undefined;
    }
  }
  // The last batch keyed at or before the request first, then those keyed while it ran.
  const before = instanceBatches.filter((b) => b.at <= id.at).slice(-1);
  const during = instanceBatches.filter((b) => b.at > id.at);
  // The id as it appears in a batch's JSON lines: the other lines are not parsed.
  const needle = JSON.stringify(requestId);
  for (const { key } of [...before, ...during].slice(0, MAX_BATCHES)) {
    const batch = await store.get(key);
    reads++;
    const text = batch ? new TextDecoder().decode(batch.bytes) : '';
    const records = text.includes(needle)
      ? text
          .split('\n')
          .filter((line) => line.includes(needle))
          .map(parseCaptureLine)
          .filter((r): r is CapturedPrediction => r !== null)
      : [];
    const found = answersOf(requestId, [records]);
    if (found) return { answers: found, reads };
  }
  return { answers: null, reads };
}
