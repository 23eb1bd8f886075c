/** Identifiers that sort by creation time and never collide between concurrent writers. */
import { randomBytes } from 'node:crypto';

/** "20261127T083012345Z-9f2c1a": UTC time to the millisecond, then 24 random bits. */
export function timeOrderedId(now: Date = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('.', '');
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

/** The time (ms) a timeOrderedId (or an instance-ordered id, instance-ids.ts) was made at, or null for a string of another shape. */
export function parseTimeOrderedId(id: string): number | null {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})Z-[0-9a-f]+(?:-[0-9a-f]+)?$/.exec(id);
  if (!m) return null;
  const [, y, mo, d, h, mi, s, ms] = m.map(Number);
  return Date.UTC(y, mo - 1, d, h, mi, s, ms);
}

/**
 * The characters each position of a timeOrderedId may hold, in order: eight digits of the day,
 * "T", nine of the time, "Z", "-", six hex digits. Every id this project ever wrote has this
 * shape, so ids compare position by position.
 */
const DIGITS = '0123456789';
const HEX = '0123456789abcdef';
const ID_SHAPE: readonly string[] = [
  ...Array<string>(8).fill(DIGITS),
  'T',
  ...Array<string>(9).fill(DIGITS),
  'Z',
  '-',
  ...Array<string>(6).fill(HEX),
];
export const TIME_ORDERED_ID_LENGTH = ID_SHAPE.length;

export function isTimeOrderedId(id: string): boolean {
  return id.length === ID_SHAPE.length && [...id].every((c, i) => ID_SHAPE[i].includes(c));
}

/**
 * The smallest timeOrderedId that is not below `bound` (any string), or null when every id is
 * below it: the ids below `bound` are exactly the ids below this one. A page "before" a day
 * ("20261201") or a partial id starts where that day or id would.
 */
export function leastTimeOrderedIdFrom(bound: string): string | null {
  const smallestFrom = (i: number): string =>
    ID_SHAPE.slice(i)
      .map((chars) => chars[0])
      .join('');
  let valid = 0; // how many leading characters of `bound` an id can share
  while (valid < Math.min(bound.length, ID_SHAPE.length) && ID_SHAPE[valid].includes(bound[valid])) valid++;
  if (valid === bound.length) return bound + smallestFrom(valid);
  // Otherwise an id must be greater at some position up to `valid`: the last one where it can be.
  for (let i = Math.min(valid, ID_SHAPE.length - 1); i >= 0; i--) {
    const greater = [...ID_SHAPE[i]].find((c) => c > bound[i]);
    if (greater !== undefined) return bound.slice(0, i) + greater + smallestFrom(i + 1);
  }
  return null;
}
