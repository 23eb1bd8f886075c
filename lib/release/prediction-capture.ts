/**
 * Prediction capture: what each variant answered, how fast, and whether it failed, for release
 * decisions; for a sample of answers also the cleaned feature values and the probabilities, for
 * the drift check. Buffered per container, written in NDJSON batches partitioned by date
 * (captures/{model}/{day}/{time-ordered id}.ndjson). Only the model's feature columns are
 * kept: identifiers (Customer_ID, Name, SSN...) are dropped at the edge and never captured.
 */
import type { CleanRow } from '../data/clean-record.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import { timeOrderedId } from '../util/ids.ts';

export interface CapturedPrediction {
  requestId: string;
  /** Position in a batch request (0 for a single record). */
  index: number;
  at: number;
  version: string;
  alias: string;
  variant: string;
  /** Predicted class label; absent when the request failed. */
  predicted?: string;
  latencyMs: number;
  ok: boolean;
  shadow?: { version: string; predicted: string };
  /** Sampled answers only: the cleaned feature values (missing as null) and the probabilities. */
  features?: CapturedFeatures;
  probabilities?: Record<string, number>;
}

export interface CapturedFeatures {
  numeric: (number | null)[];
  categorical: (string | null)[];
  multiLabel: string[][];
}

export function captureFeatures(row: CleanRow): CapturedFeatures {
  return { numeric: Array.from(row.numeric, (v) => (Number.isNaN(v) ? null : v)), categorical: row.categorical, multiLabel: row.multiLabel };
}

export function featuresToRow(features: CapturedFeatures): CleanRow {
  return { numeric: Float64Array.from(features.numeric, (v) => (v === null ? NaN : v)), categorical: features.categorical, multiLabel: features.multiLabel };
}

export class PredictionCapture {
  private buffer: CapturedPrediction[] = [];
  private oldest = 0;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: ObjectStore,
    private readonly model: string,
    private readonly maxRecords: number,
    private readonly maxAgeMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  add(record: CapturedPrediction): void {
    if (this.buffer.length === 0) this.oldest = this.now();
    this.buffer.push(record);
  }

  /** Writes the buffer when it is full or old enough; called at the end of each request. */
  async maybeFlush(): Promise<void> {
    if (this.buffer.length >= this.maxRecords || (this.buffer.length > 0 && this.now() - this.oldest >= this.maxAgeMs)) await this.flush();
  }

  async flush(): Promise<void> {
    const batch = this.buffer;
    if (batch.length === 0) return this.flushing;
    this.buffer = [];
    const key = `${capturePrefix(this.model)}${new Date(this.now()).toISOString().slice(0, 10)}/${timeOrderedId(new Date(this.now()))}.ndjson`;
    const body = new TextEncoder().encode(batch.map((r) => JSON.stringify(r)).join('\n') + '\n');
    this.flushing = this.flushing.then(() => this.store.put(key, body, { contentType: 'application/x-ndjson' }).then(() => undefined));
    return this.flushing;
  }
}

export function capturePrefix(model: string): string {
  return `captures/${model}/`;
}

/** Captured predictions made at or after `since` (ms), read back from storage. */
export async function readCaptures(store: ObjectStore, model: string, since: number, until = Date.now()): Promise<CapturedPrediction[]> {
  const out: CapturedPrediction[] = [];
  for (let day = Date.UTC(new Date(since).getUTCFullYear(), new Date(since).getUTCMonth(), new Date(since).getUTCDate()); day <= until; day += 86_400_000) {
    const prefix = `${capturePrefix(model)}${new Date(day).toISOString().slice(0, 10)}/`;
    for (const key of await store.list(prefix)) {
      const bytes = await store.get(key);
      if (!bytes) continue;
      for (const line of new TextDecoder().decode(bytes).split('\n')) {
        if (!line) continue;
        const record = JSON.parse(line) as CapturedPrediction;
        if (record.at >= since && record.at <= until) out.push(record);
      }
    }
  }
  return out;
}
