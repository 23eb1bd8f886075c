/**
 * Stratified k-fold: each class's rows are shuffled (seeded) and dealt round-robin to the
 * folds, so every fold keeps the class proportions within one row.
 */
import { Random } from '../util/random.ts';

export interface Fold {
  train: Int32Array;
  test: Int32Array;
}

export function stratifiedKFold(y: Int32Array, classes: number, folds: number, seed: number): Fold[] {
  if (!Number.isInteger(folds) || folds < 2) throw new RangeError(`cv must be an integer >= 2, got ${folds}`);
  const rng = new Random(seed);
  const foldOf = new Int32Array(y.length);
  let dealt = 0;
  for (let k = 0; k < classes; k++) {
    const members: number[] = [];
    for (let i = 0; i < y.length; i++) if (y[i] === k) members.push(i);
    if (members.length < folds)
      throw new RangeError(`class ${k} has ${members.length} rows, fewer than cv=${folds} folds`);
    const order = rng.shuffle(Int32Array.from(members));
    // Continue the round-robin across classes so fold sizes differ by at most one.
    for (let j = 0; j < order.length; j++) foldOf[order[j]] = (dealt + j) % folds;
    dealt += order.length;
  }
  return Array.from({ length: folds }, (_, f) => {
    const train: number[] = [];
    const test: number[] = [];
    for (let i = 0; i < y.length; i++) (foldOf[i] === f ? test : train).push(i);
    return { train: Int32Array.from(train), test: Int32Array.from(test) };
  });
}
