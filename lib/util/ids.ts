/** Identifiers that sort by creation time and never collide between concurrent writers. */
import { randomBytes } from 'node:crypto';

/** "20261127T083012345Z-9f2c1a": UTC time to the millisecond, then 24 random bits. */
export function timeOrderedId(now: Date = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('.', '');
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}
