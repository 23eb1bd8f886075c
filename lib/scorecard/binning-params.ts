/**
 * The knobs of optimal binning, declared once (lib/util/param-spec.ts): per knob the default a
 * run uses unless tuning or flags set it, the values a fit accepts, what tuning searches
 * (lib/tuning/search-space.ts) and what it does (docs/parameters.md).
 */
import type { MonotoneDirection } from './merge-bins.ts';
import { checkParams, paramDefaults, type ParamSpecs } from '../util/param-spec.ts';

/** Each field's meaning, default and valid values: BINNING_PARAMS. */
export interface BinningParams {
  prebins: number;
  minBinShare: number;
  maxBins: number;
  monotone: MonotoneDirection | 'auto';
  minIv: number;
}

/**
 * Defaults: about 20 pre-bins (OptBinning's default pre-binning), 5% of the rows per bin as
 * Siddiqi advises, and an IV threshold of 0.02 ("not useful for prediction" in Siddiqi's bands).
 * Search ranges: pre-bins from 5 (a coarse quartile-like cut) to 50 (2% quantiles); bins of 1% to
 * 10% of the rows (Siddiqi's 5% in the middle); 3 to 12 bins; an IV threshold from 0 (keep
 * everything) to 0.05 (the middle of the "weak" band); every monotone trend.
 */
export const BINNING_PARAMS: ParamSpecs<BinningParams> = {
  prebins: {
    description: 'Quantile pre-bins of a numeric feature before merging.',
    default: 20,
    range: { min: 2, max: Infinity, integer: true },
    search: { low: 5, high: 50, scale: 'log' },
  },
  minBinShare: {
    description: 'Least share of the training rows in a bin (the missing bin is exempt).',
    default: 0.05,
    range: { min: 0, max: 0.5, belowMax: true },
    search: { low: 0.01, high: 0.1, scale: 'log' },
  },
  maxBins: {
    description: 'Most bins per feature, missing and unseen bins not counted.',
    default: 8,
    range: { min: 2, max: Infinity, integer: true },
    search: { low: 3, high: 12, scale: 'linear' },
  },
  monotone: {
    description: "Event rate across a numeric feature's bins: rising, falling, or whichever gives the higher IV.",
    default: 'auto',
    choices: ['auto', 'ascending', 'descending'],
    search: { pick: ['auto', 'ascending', 'descending'] },
  },
  minIv: {
    description: 'Features whose information value is below this are dropped.',
    default: 0.02,
    range: { min: 0, max: Infinity },
    search: { low: 0, high: 0.05, scale: 'linear' },
  },
};

export const BINNING_DEFAULTS: BinningParams = paramDefaults(BINNING_PARAMS);

export function checkBinningParams(p: BinningParams): void {
  checkParams(BINNING_PARAMS, p);
}
