/**
 * Ids that say where their record lives: the time, then the instance (a container: a Lambda
 * instance, a pod, a serverless-offline process) that made them. A request id of this shape tells
 * feedback which instance captured the answer and from when, so the answer is found with one
 * listing and one read (lib/release/captured-request.ts) instead of a search of every batch.
 *
 *   20261207T033012345Z-a1b2c3d4e5f6-00002a   UTC time to the ms, the instance (48 random bits
 *                                             drawn when the process starts: two of a thousand
 *                                             containers share one with odds of about 2 in a
 *                                             billion), a counter of the instance
 */
import { randomBytes } from 'node:crypto';

/** This process's instance: request ids and capture batches made here carry it. */
export const INSTANCE_ID = randomBytes(6).toString('hex');

let counter = 0;

export function instanceOrderedId(instance: string = INSTANCE_ID, now: Date = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('.', '');
  counter = (counter + 1) & 0xffffff;
  return `${stamp}-${instance}-${counter.toString(16).padStart(6, '0')}`;
}

const SHAPE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})Z-([0-9a-f]{12})-[0-9a-f]{6}$/;

/** When and by which instance an id of this shape was made, or null for any other string. */
export function parseInstanceOrderedId(id: string): { at: number; instance: string } | null {
  const m = SHAPE.exec(id);
  if (!m) return null;
  const [y, mo, d, h, mi, s, ms] = m.slice(1, 8).map(Number);
  return { at: Date.UTC(y, mo - 1, d, h, mi, s, ms), instance: m[8] };
}

/** The key-sortable prefix of every id made at `at` or later: "20261207T033012345Z". */
export function idStampOf(at: number): string {
  return new Date(at).toISOString().replace(/[-:]/g, '').replace('.', '');
}
