/**
 * The probabilities a model serves: its ensemble's, through the artifact's calibration when it
 * has one. Every path that answers with probabilities or picks a class from them (the
 * predictor behind the API, the batch CLI) goes through here, so they cannot disagree.
 */
import type { ModelBundle } from '../artifact/model-bundle.ts';
import { applyCalibration } from '../evaluation/calibrators.ts';

/** Calibrates `rows` rows of the ensemble's probabilities in place (nothing to do without a calibration). */
export function calibrateServed(
  bundle: Pick<ModelBundle, 'calibration' | 'spec'>,
  probabilities: Float64Array,
  rows: number,
  offset = 0,
): void {
  if (bundle.calibration)
    applyCalibration(bundle.calibration.calibration, probabilities, rows, bundle.spec.target.classes.length, offset);
}
