/**
 * The knobs of optimal binning, with the defaults a run uses unless tuning or flags set them, and
 * per numeric knob the values a fit accepts beside the part tuning searches (one declaration,
 * read by checkBinningParams and by lib/tuning/search-space.ts).
 */
import type { MonotoneDirection } from './merge-bins.ts';
import { checkInRange, type ParamRange } from './param-range.ts';

export interface BinningParams {
  /** Quantile pre-bins of a numeric feature before merging (OptBinning's default pre-binning is about 20). */
  prebins: number;
  /** Least share of the training rows in a bin (the missing bin is exempt): 5% as Siddiqi advises. */
  minBinShare: number;
  /** Most bins per feature, missing and unseen bins not counted. */
  maxBins: number;
  /** Event rate across a numeric feature's bins: rising, falling, or whichever gives the higher IV. */
  monotone: MonotoneDirection | 'auto';
  /** Features whose IV is below this are dropped (0.02: "not useful for prediction" in Siddiqi's bands). */
  minIv: number;
}

export const BINNING_DEFAULTS: BinningParams = {
  prebins: 20,
  minBinShare: 0.05,
  maxBins: 8,
  monotone: 'auto',
  minIv: 0.02,
};

export type NumericBinningParam = Exclude<keyof BinningParams, 'monotone'>;

/**
 * Valid values and searched values. Search ranges: pre-bins from 5 (a coarse quartile-like cut)
 * to 50 (2% quantiles); bins of 1% to 10% of the rows (Siddiqi's 5% in the middle); 3 to 12
 * bins; an IV threshold from 0 (keep everything) to 0.05 (the middle of the "weak" band).
 */
export const BINNING_RANGES: Record<NumericBinningParam, ParamRange> = {
  prebins: { min: 2, max: Infinity, integer: true, search: { low: 5, high: 50, scale: 'log' } },
  minBinShare: { min: 0, max: 0.5, belowMax: true, search: { low: 0.01, high: 0.1, scale: 'log' } },
  maxBins: { min: 2, max: Infinity, integer: true, search: { low: 3, high: 12, scale: 'linear' } },
  minIv: { min: 0, max: Infinity, search: { low: 0, high: 0.05, scale: 'linear' } },
};

/** The monotone trends a fit accepts; tuning picks among all of them. */
export const MONOTONE_CHOICES: readonly BinningParams['monotone'][] = ['auto', 'ascending', 'descending'];

export function checkBinningParams(p: BinningParams): void {
  for (const name of Object.keys(BINNING_RANGES) as NumericBinningParam[])
    checkInRange(name, p[name], BINNING_RANGES[name]);
  if (!MONOTONE_CHOICES.includes(p.monotone))
    throw new RangeError(`monotone must be one of ${MONOTONE_CHOICES.join(', ')}, got ${String(p.monotone)}`);
}
