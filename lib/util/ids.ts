/** Identifiers that sort by creation time and never collide between concurrent writers. */
import { randomBytes } from 'node:crypto';

/** "20261127T083012345Z-9f2c1a": UTC time to the millisecond, then 24 random bits. */
export function timeOrderedId(now: Date = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('.', '');
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

/** The time (ms) a timeOrderedId was made at, or null for a string of another shape. */
export function parseTimeOrderedId(id: string): number | null {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})Z-[0-9a-f]+$/.exec(id);
  if (!m) return null;
  const [, y, mo, d, h, mi, s, ms] = m.map(Number);
  return Date.UTC(y, mo - 1, d, h, mi, s, ms);
}
