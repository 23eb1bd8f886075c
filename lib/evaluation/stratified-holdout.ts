/**
 * A stratified holdout: each class's rows are shuffled (seeded) and the first round(fraction x
 * count) of them held out, so the held-out rows keep the class proportions. Boosting's early
 * stopping watches its loss on them; every class with two or more rows gives at least one, and
 * keeps at least one for fitting.
 */
import { Random } from '../util/random.ts';

export interface Holdout {
  /** Rows to fit on, ascending. */
  fit: Int32Array;
  /** Rows held out, ascending. */
  held: Int32Array;
}

export function stratifiedHoldout(y: Int32Array, classes: number, fraction: number, seed: number): Holdout {
  if (!(fraction > 0 && fraction < 1)) throw new RangeError(`validation fraction must be in (0, 1), got ${fraction}`);
  const rng = new Random(seed);
  const heldOut = new Uint8Array(y.length);
  for (let k = 0; k < classes; k++) {
    const members: number[] = [];
    for (let i = 0; i < y.length; i++) if (y[i] === k) members.push(i);
    if (members.length < 2) continue;
    const count = Math.min(members.length - 1, Math.max(1, Math.round(fraction * members.length)));
    const order = rng.shuffle(Int32Array.from(members));
    for (let j = 0; j < count; j++) heldOut[order[j]] = 1;
  }
  const fit: number[] = [];
  const held: number[] = [];
  for (let i = 0; i < y.length; i++) (heldOut[i] ? held : fit).push(i);
  return { fit: Int32Array.from(fit), held: Int32Array.from(held) };
}

/**
 * A stratified share of the rows (ascending indices): of each class, `fraction` of its rows
 * (seeded), but never fewer than `minPerClass` while the class has them, so a small class keeps
 * enough rows for a sampler's neighbours in a tuning rung of a ninth of the data.
 */
export function stratifiedShare(
  y: Int32Array,
  classes: number,
  fraction: number,
  minPerClass: number,
  seed: number,
): Int32Array {
  const rng = new Random(seed);
  const taken = new Uint8Array(y.length);
  for (let k = 0; k < classes; k++) {
    const members: number[] = [];
    for (let i = 0; i < y.length; i++) if (y[i] === k) members.push(i);
    const count = Math.min(members.length, Math.max(Math.round(fraction * members.length), minPerClass));
    const order = rng.shuffle(Int32Array.from(members));
    for (let j = 0; j < count; j++) taken[order[j]] = 1;
  }
  const rows: number[] = [];
  for (let i = 0; i < y.length; i++) if (taken[i]) rows.push(i);
  return Int32Array.from(rows);
}
