/**
 * Prediction capture: what each variant answered, how fast, and whether it failed, for release
 * decisions; for a sample of answers also the cleaned feature values and the probabilities, for
 * the drift check. Only the model's feature columns are kept, and per sensitive column the
 * applicant's group (a band or a level, not the value: capturedGroups): identifiers
 * (Customer_ID, Name, SSN...) are dropped at the edge and never captured.
 *
 * Answers are buffered per container and written as NDJSON batches (layout: captures/), each
 * with its monitoring summary (lib/monitoring/summary.ts) written just before it: what the
 * report, the drift check and the canary read instead of the raw answers. A
 * batch is written when it is full, on a timer every `flushSeconds` whether or not traffic
 * comes, and on shutdown. A failed write never poisons the next: the batch keeps its key and is
 * retried (created once, so a retry of a write that did land is harmless); the buffer is
 * bounded, and what does not fit is dropped and counted.
 */
import type { CleanRow } from '../data/clean-record.ts';
import { groupOf } from '../data/sensitive-groups.ts';
import type { DatasetSpec } from '../data/spec.ts';
import { MISSING_GROUP } from '../evaluation/fairness.ts';
import { keys, daysBetween } from '../state/layout.ts';
import {
  capturedPredictionSchema,
  type CapturedFeatures,
  type CapturedPrediction,
  type FeedbackRecord,
} from '../state/schemas.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import { publicReason } from '../serving/public-reason.ts';
import { mayBeBehindRollupMark, retreatRollupMark } from '../monitoring/rollup-mark.ts';
import {
  MINUTE_MS,
  summarizeRecords,
  SummaryBuilder,
  type AcceptedLabel,
  type BaselineRef,
} from '../monitoring/summary.ts';
import { DocumentStore } from '../state/document-store.ts';
import { mapLimit } from '../util/map-limit.ts';
import { parseTimeOrderedId } from '../util/ids.ts';
import { instanceOrderedId } from '../util/instance-ids.ts';

export type { CapturedFeatures, CapturedPrediction };

export function captureFeatures(row: CleanRow): CapturedFeatures {
  return {
    numeric: Array.from(row.numeric, (v) => (Number.isNaN(v) ? null : v)),
    categorical: row.categorical,
    multiLabel: row.multiLabel,
  };
}

/**
 * The `groups` field of an answer to `record` (the request's record as sent): per sensitive
 * column of the answering model's spec, the applicant's group, read from the raw value as in
 * training (lib/data/sensitive-groups.ts), even when the column is no feature of the model; not
 * sent or missing is MISSING_GROUP. A spread-able `{}` when the spec names no sensitive column,
 * so those answers' rows stay as they were. The group's label is kept, a few bytes a column:
 * a summary counts it without the spec (the answering version may be gone by then).
 */
export function capturedGroups(
  spec: Pick<DatasetSpec, 'sensitive'>,
  record: Record<string, unknown>,
): { groups?: Record<string, string> } {
  if (!spec.sensitive.length) return {};
  const groups: Record<string, string> = {};
  for (const column of spec.sensitive) {
    const raw = record[column.column];
    groups[column.column] =
      groupOf(
        column,
        typeof raw === 'string' ? raw : typeof raw === 'number' || typeof raw === 'boolean' ? String(raw) : null,
      ) ?? MISSING_GROUP;
  }
  return { groups };
}

export type LabelledAnswer = NonNullable<FeedbackRecord['answers']>[number];

/**
 * What a label of record `index` is kept with (feedback's `answers`): what each variant answered
 * for it among a request's captured answers, the applicant's groups included (failures label nothing).
 */
export function labelledAnswers(answers: CapturedPrediction[], index: number): LabelledAnswer[] {
  return answers.flatMap((a) =>
    a.index === index && a.ok && a.predicted !== undefined
      ? [
          {
            variant: a.variant,
            version: a.version,
            predicted: a.predicted,
            at: a.at,
            ...(a.groups ? { groups: a.groups } : {}),
          },
        ]
      : [],
  );
}

/** The label `actual`, accepted at `at`, as the summaries count it: once per answer it labels, with that answer's groups. */
export function acceptedLabels(given: LabelledAnswer[], actual: string, at: number): AcceptedLabel[] {
  return given.map((g) => ({
    variant: g.variant,
    version: g.version,
    predicted: g.predicted,
    actual,
    at,
    ...(g.groups ? { groups: g.groups } : {}),
  }));
}

export function featuresToRow(features: CapturedFeatures): CleanRow {
  return {
    numeric: Float64Array.from(features.numeric, (v) => (v === null ? NaN : v)),
    categorical: features.categorical,
    multiLabel: features.multiLabel,
  };
}

export interface CaptureOptions {
  /** A batch is written once this many answers wait... */
  flushRecords: number;
  /** ...and at least this often (ms) while any wait. */
  flushIntervalMs: number;
  /** Most answers held (waiting and failed batches); beyond it the oldest are dropped. */
  maxBuffered: number;
  /**
   * The spec and training baseline of a version this container serves, to count sampled feature
   * values on its bins in the batch's summary; null for one it no longer holds (counted as unbinned).
   */
  baselineOf?: (version: string) => BaselineRef | null;
  /** The instance whose batches these are (this process's by default; a benchmark plays several). */
  instance?: string;
}

export interface CaptureHooks {
  onWritten?(records: number): void;
  onFailed?(error: Error): void;
  onDropped?(records: number): void;
}

export interface CaptureStatus {
  status: 'ok' | 'degraded';
  /** Answers not yet in storage. */
  pending: number;
  /** Answers dropped since the start because storage could not take them in time. */
  dropped: number;
  lastWriteAt: string | null;
  lastError: { message: string; at: string } | null;
}

interface Batch {
  at: number;
  id: string;
  records: CapturedPrediction[];
  /**
   * The records' NDJSON lines, encoded as they arrived: one request's few lines then, not a batch's
   * thousand at the flush (stringifying, joining and encoding 1,000 answers there took 3-4 ms).
   */
  lines: Uint8Array[];
  /** The records' summary so far, built as they arrived; null once the bound cut some (then summarized at the flush). */
  builder: SummaryBuilder | null;
  /** The summary document, made at the first attempt and kept for the retries. */
  summaryBytes?: Uint8Array;
  /** Labels accepted here since the last cut: counted in the batch's summary. */
  labels: AcceptedLabel[];
  /**
   * Its summary is stored: the records are counted and are no longer cut by the bound. (After a
   * failed attempt they may be: if that attempt landed after all, the summary counts answers that
   * were served but dropped from the raw batch, which monitoring should count anyway.)
   */
  summarized: boolean;
  /** Its summary was stored late (rollup-mark.ts): the rollup mark must stop vouching for its minute. */
  markToRetreat?: boolean;
}

/** One encoder for the answers' lines and the summaries (UTF-8, stateless). */
const UTF8 = new TextEncoder();

export class PredictionCapture {
  private buffer: CapturedPrediction[] = [];
  private lines: Uint8Array[] = [];
  /** The buffer's summary so far (null once the bound cut some of it). */
  private building: SummaryBuilder | null;
  private labels: AcceptedLabel[] = [];
  private oldest = 0;
  private unsent: Batch[] = [];
  /** The batch being written now: never cut or dropped under the writer's feet. */
  private inFlight: Batch | null = null;
  private writing: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private dropped = 0;
  private lastWriteAt: number | null = null;
  private lastError: CaptureStatus['lastError'] = null;

  constructor(
    private readonly store: ObjectStore,
    private readonly model: string,
    private readonly options: CaptureOptions,
    private readonly hooks: CaptureHooks = {},
    private readonly now: () => number = Date.now,
  ) {
    this.building = this.newBuilder();
  }

  /** Arms the flush timer (unref'd: it never keeps a process alive by itself). */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.flush(), this.options.flushIntervalMs);
    this.timer.unref();
  }

  add(records: CapturedPrediction[]): void {
    if (records.length) {
      this.hold(() => {
        for (const r of records) {
          this.buffer.push(r);
          this.lines.push(UTF8.encode(`${JSON.stringify(r)}\n`));
          this.building?.add(r);
        }
      });
    }
  }

  /**
   * Labels accepted by this container (POST /feedback, after their own document was stored), to be
   * counted in the next batch's summary: reports read them there, never label by label.
   */
  addLabels(labels: AcceptedLabel[]): void {
    if (labels.length) this.hold(() => labels.forEach((l) => this.labels.push(l)));
  }

  /** Takes answers or labels in: after cutting what is held if it is old, bounded, written once enough wait. */
  private hold(push: () => void): void {
    this.cutIfOld();
    if (this.buffer.length === 0 && this.labels.length === 0) this.oldest = this.now();
    push();
    this.enforceBound();
    if (this.buffer.length + this.labels.length >= this.options.flushRecords) void this.flush();
  }

  /**
   * A batch spans at most the flush interval: what is held is cut before anything newer joins it,
   * even where no timer ran in between (a Lambda container frozen for hours between two requests).
   * The batch's key is the time of its first answer, so feedback looks for an answer among the
   * batches keyed within one interval of it (captured-request.ts).
   */
  private cutIfOld(): void {
    if (this.buffer.length + this.labels.length > 0 && this.now() - this.oldest >= this.options.flushIntervalMs)
      this.cut();
  }

  private cut(): void {
    // The key is fixed when the batch is cut, so every retry writes the same object.
    this.unsent.push({
      at: this.oldest,
      id: instanceOrderedId(this.options.instance, new Date(this.oldest)),
      records: this.buffer,
      lines: this.lines,
      builder: this.building,
      labels: this.labels,
      summarized: false,
    });
    this.buffer = [];
    this.lines = [];
    this.building = this.newBuilder();
    this.labels = [];
  }

  private newBuilder(): SummaryBuilder {
    return new SummaryBuilder(this.options.baselineOf ?? (() => null), featuresToRow);
  }

  /**
   * True when a write is due by size or age (for hosts without timers between invocations:
   * Lambda waits for it). Never while a write is running, and after a failed one only once the
   * interval has passed: a request must not wait on a store that is down.
   */
  due(): boolean {
    if (this.writing) return false;
    if (this.lastError && this.now() - Date.parse(this.lastError.at) < this.options.flushIntervalMs) return false;
    const held = this.buffer.length + this.labels.length;
    return (
      held >= this.options.flushRecords ||
      (held > 0 && this.now() - this.oldest >= this.options.flushIntervalMs) ||
      this.unsent.length > 0
    );
  }

  /** Writes everything held, in order; resolves when done or when a write failed (the rest waits for the next flush). */
  flush(): Promise<void> {
    this.writing ??= this.writeAll().finally(() => {
      this.writing = null;
      // Filled up again while that write ran (a slow store): written now, not at the next timer
      // tick. Not after a failure: the retry waits for the timer, as due() says.
      if (this.buffer.length + this.labels.length >= this.options.flushRecords && !this.lastError) void this.flush();
    });
    return this.writing;
  }

  /** The final flush on shutdown: stops the timer, writes what is held waiting at most `timeoutMs`, and answers how many answers and labels are still not written. */
  async close(timeoutMs: number): Promise<number> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await Promise.race([
      this.flush().then(() =>
        this.buffer.length || this.labels.length || this.unsent.length ? this.flush() : undefined,
      ),
      new Promise((resolve) => setTimeout(resolve, timeoutMs).unref()),
    ]);
    return this.status().pending;
  }

  status(): CaptureStatus {
    return {
      status: this.lastError ? 'degraded' : 'ok',
      pending: this.pending(),
      dropped: this.dropped,
      lastWriteAt: this.lastWriteAt ? new Date(this.lastWriteAt).toISOString() : null,
      lastError: this.lastError,
    };
  }

  /** Answers and labels not yet in storage (counted on every request: no status document made for it). */
  private pending(): number {
    let n = this.buffer.length + this.labels.length;
    for (const b of this.unsent) n += b.records.length + b.labels.length;
    return n;
  }

  /**
   * The answers of request `requestId` held here (not yet in storage), or null when none is held.
   * A request's answers are added at once, so they are all here or all in one stored batch (less
   * any the bound dropped).
   */
  heldAnswers(requestId: string): CapturedPrediction[] | null {
    return answersOf(requestId, [this.buffer, ...this.unsent.map((b) => b.records)]);
  }

  private async writeAll(): Promise<void> {
    // The batch carries this instance's id, as its requests' ids do: feedback finds it by them.
    if (this.buffer.length || this.labels.length) this.cut();
    while (this.unsent.length) {
      const batch = this.unsent[0];
      this.inFlight = batch;
      try {
        // The summary first: once it is stored the batch's answers count, and the batch is never cut.
        // Both are created once: if an earlier attempt landed after all (a timeout after the write), this is a no-op.
        if (!batch.summarized) {
          if (!batch.summaryBytes) {
            const summary = batch.builder
              ? batch.builder.finish(batch.labels)
              : summarizeRecords(batch.records, this.options.baselineOf ?? (() => null), featuresToRow, batch.labels);
            batch.summaryBytes = UTF8.encode(JSON.stringify(summary));
            batch.builder = null;
          }
          await this.store.put(keys.batchSummary(this.model, batch.at, batch.id), batch.summaryBytes, {
            contentType: 'application/json',
            condition: { ifNoneMatch: '*' },
          });
          batch.summarized = true;
          batch.summaryBytes = undefined;
          batch.markToRetreat = mayBeBehindRollupMark(batch.at, this.now());
        }
        // Stored after the rollups may have passed its minute: readers must take that minute from
        // its batches until a run rolls it up again. Retried with the batch if it fails.
        if (batch.markToRetreat) {
          await retreatRollupMark(
            new DocumentStore(this.store),
            this.model,
            Math.floor(batch.at / MINUTE_MS) * MINUTE_MS,
          );
          batch.markToRetreat = false;
        }
        const body = Buffer.concat(batch.lines);
        // A batch of labels only has no raw answers to keep (the labels are stored on their own).
        if (batch.records.length)
          await this.store.put(keys.captureBatch(this.model, batch.at, batch.id), body, {
            contentType: 'application/x-ndjson',
            condition: { ifNoneMatch: '*' },
          });
      } catch (err) {
        this.lastError = { message: publicReason(err), at: new Date(this.now()).toISOString() };
        this.hooks.onFailed?.(err as Error);
        return;
      } finally {
        this.inFlight = null;
      }
      this.unsent.splice(this.unsent.indexOf(batch), 1);
      this.lastWriteAt = this.now();
      this.lastError = null;
      if (batch.records.length) this.hooks.onWritten?.(batch.records.length);
    }
  }

  /** Drops the oldest answers beyond maxBuffered: failed batches first (oldest first), then the buffer's oldest. */
  private enforceBound(): void {
    let excess = this.pending() - this.options.maxBuffered;
    if (excess <= 0) return;
    let dropped = 0;
    for (const batch of this.unsent) {
      if (excess <= 0) break;
      if (batch === this.inFlight || batch.summarized) continue;
      const cut = Math.min(excess, batch.records.length);
      batch.records.splice(0, cut);
      batch.lines.splice(0, cut);
      // Its summary so far counts what was cut: made again from what is left at the flush.
      batch.builder = null;
      batch.summaryBytes = undefined;
      excess -= cut;
      dropped += cut;
    }
    this.unsent = this.unsent.filter(
      (b) => b.records.length > 0 || b.labels.length > 0 || b === this.inFlight || b.summarized,
    );
    if (excess > 0) {
      const cut = Math.min(excess, this.buffer.length);
      this.buffer.splice(0, cut);
      this.lines.splice(0, cut);
      if (cut) this.building = null;
      dropped += cut;
      excess -= cut;
    }
    if (excess > 0) {
      // Labels last: each is also stored on its own; only its count in the summaries is lost.
      const cut = Math.min(excess, this.labels.length);
      this.labels.splice(0, cut);
      dropped += cut;
    }
    this.dropped += dropped;
    if (dropped) this.hooks.onDropped?.(dropped);
  }
}

export interface CaptureWindow {
  records: CapturedPrediction[];
  /** Lines that did not match the capture schema (skipped, not guessed at). */
  unreadable: number;
}

/** Captured predictions made at or after `since` (ms) and at or before `until`, read back from storage. */
export async function readCaptures(
  store: ObjectStore,
  model: string,
  since: number,
  until = Date.now(),
): Promise<CaptureWindow> {
  const batchKeys: string[] = [];
  for (const day of daysBetween(since, until)) {
    for (const key of await store.list(keys.captureDay(model, day))) {
      // A batch is cut after its newest record: one cut before `since` holds nothing newer.
      const cutAt = parseTimeOrderedId(key.slice(key.lastIndexOf('/') + 1, -'.ndjson'.length));
      if (cutAt === null || cutAt >= since) batchKeys.push(key);
    }
  }
  const window: CaptureWindow = { records: [], unreadable: 0 };
  const batches = await mapLimit(batchKeys, 16, (key) => store.get(key));
  for (const batch of batches) {
    if (!batch) continue;
    for (const line of new TextDecoder().decode(batch.bytes).split('\n')) {
      if (!line) continue;
      const parsed = parseCaptureLine(line);
      if (!parsed) window.unreadable++;
      else if (parsed.at >= since && parsed.at <= until) window.records.push(parsed);
    }
  }
  return window;
}

/** The answers of `requestId` among these records, or null when it is not among them. */
export function answersOf(requestId: string, groups: Iterable<CapturedPrediction>[]): CapturedPrediction[] | null {
  const found: CapturedPrediction[] = [];
  for (const records of groups) for (const r of records) if (r.requestId === requestId) found.push(r);
  return found.length ? found : null;
}

/** One NDJSON line of a capture batch, or null when it does not match the capture schema. */
export function parseCaptureLine(line: string): CapturedPrediction | null {
  try {
    const parsed = capturedPredictionSchema.safeParse(JSON.parse(line));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
