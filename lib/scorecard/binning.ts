/**
 * Optimal binning of every feature column against one event (the "bad" outcome), the features
 * whose IV falls below the threshold dropped and reported, and the WoE matrix a logistic
 * regression is fitted on.
 *
 * Several classes: the bins are fitted against ONE event class (the spec's "bad" class, e.g.
 * "Poor"; with two classes, the second), and the multinomial regression then learns every class
 * from those WoE values. One-vs-rest binning per class would give each class its own WoE columns
 * and the points table one line per class and feature; one binning keeps one table.
 */
import { BINNING_DEFAULTS, checkBinningParams, type BinningParams } from './binning-params.ts';
import { fitCategoricalBinning } from './categorical-binning.ts';
import { BinLookup, type FeatureBinning, type FeatureValue } from './feature-binning.ts';
import { fitNumericBinning } from './numeric-binning.ts';

/** A raw cleaned column: numbers with NaN for missing, or strings with null for missing. */
export type FeatureColumn =
  | { name: string; kind: 'numeric'; values: ArrayLike<number> }
  | { name: string; kind: 'categorical'; values: readonly (string | null)[] };

export interface DroppedFeature {
  name: string;
  iv: number;
  /**
   * Set when the characteristic was dropped for its coefficient's sign (expected-signs.ts), not
   * its IV: the coefficient on the card's log-odds line when it was dropped, and the kept
   * characteristic whose WoE correlated most with its own (null if none varied).
   */
  wrongSign?: { coefficient: number; beside: string | null; correlation: number | null };
}

export interface Binning {
  /** The features kept, in column order: the columns of the WoE matrix. */
  features: FeatureBinning[];
  /** Features whose IV was below `minIv`, in column order; then (fitScorecard) those dropped for a wrong sign, in the order dropped. */
  dropped: DroppedFeature[];
  params: BinningParams;
}

/** 1 where the row's class is `eventClass`, else 0. */
export function eventIndicator(y: ArrayLike<number>, eventClass: number): Uint8Array {
  const out = new Uint8Array(y.length);
  for (let i = 0; i < y.length; i++) out[i] = y[i] === eventClass ? 1 : 0;
  return out;
}

export function fitFeatureBinning(
  column: FeatureColumn,
  event: ArrayLike<number>,
  params: BinningParams,
): FeatureBinning {
  return column.kind === 'numeric'
    ? fitNumericBinning(column.name, column.values, event, params)
    : fitCategoricalBinning(column.name, column.values, event, params);
}

export function fitBinning(
  columns: FeatureColumn[],
  event: ArrayLike<number>,
  overrides: Partial<BinningParams> = {},
): Binning {
  const params = { ...BINNING_DEFAULTS, ...overrides };
  checkBinningParams(params);
  for (const c of columns) {
    if (c.values.length !== event.length)
      throw new RangeError(`column ${c.name} has ${c.values.length} values, expected ${event.length}`);
  }
  const features: FeatureBinning[] = [];
  const dropped: DroppedFeature[] = [];
  for (const column of columns) {
    const f = fitFeatureBinning(column, event, params);
    if (f.iv < params.minIv) dropped.push({ name: f.name, iv: f.iv });
    else features.push(f);
  }
  return { features, dropped, params };
}

/**
 * Row-major rows x features matrix of the WoE of each row's bin, for the kept features;
 * `columns` are looked up by name, so they may include dropped ones or come in another order.
 */
export function woeMatrix(
  features: FeatureBinning[],
  columns: FeatureColumn[],
): { X: Float64Array; rows: number; features: number } {
  const byName = new Map(columns.map((c) => [c.name, c]));
  const rows = columns.length ? columns[0].values.length : 0;
  const p = features.length;
  const X = new Float64Array(rows * p);
  features.forEach((f, j) => {
    const column = byName.get(f.name);
    if (!column) throw new RangeError(`no column named ${f.name}`);
    if (column.values.length !== rows)
      throw new RangeError(`column ${f.name} has ${column.values.length} values, expected ${rows}`);
    const lookup = new BinLookup(f);
    for (let i = 0; i < rows; i++) X[i * p + j] = lookup.woeOf(column.values[i] as FeatureValue);
  });
  return { X, rows, features: p };
}
