/** The knobs of optimal binning, with the defaults a run uses unless tuning or flags set them. */
import type { MonotoneDirection } from './merge-bins.ts';

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

export function checkBinningParams(p: BinningParams): void {
  if (!Number.isInteger(p.prebins) || p.prebins < 2) throw new RangeError(`prebins must be an integer of at least 2, got ${p.prebins}`);
  if (!(p.minBinShare >= 0 && p.minBinShare < 0.5)) throw new RangeError(`minBinShare must be in [0, 0.5), got ${p.minBinShare}`);
  if (!Number.isInteger(p.maxBins) || p.maxBins < 2) throw new RangeError(`maxBins must be an integer of at least 2, got ${p.maxBins}`);
  if (!(p.minIv >= 0)) throw new RangeError(`minIv must be at least 0, got ${p.minIv}`);
}
