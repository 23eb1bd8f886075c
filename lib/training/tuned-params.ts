/**
 * A configuration's parameters beyond a run's defaults: what tuning (lib/tuning) draws and a fit
 * applies. Declared here, below tuning, because every fit reads them and tuning is one caller.
 */
import type { SamplerParams } from '../sampling/index.ts';
import type { ScorecardTuning } from '../scorecard/scorecard-model.ts';
import type { GradientBoostingParams } from '../trees/gradient-boosting.ts';
import type { RandomForestParams } from '../trees/random-forest.ts';

/** Parameters a configuration sets, beyond the defaults. */
export interface TunedParams {
  classifier: Partial<RandomForestParams> | Partial<GradientBoostingParams> | Partial<ScorecardTuning>;
  sampler: SamplerParams;
}

export const DEFAULT_CONFIG: TunedParams = { classifier: {}, sampler: {} };
