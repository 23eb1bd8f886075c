/**
 * The training baseline, as drift code reads it. It is a profile of the training data that the
 * artifact stores and the pipeline computes, so it is declared below both, in
 * lib/data/training-baseline.ts; drift and monitoring keep importing it from here.
 */
export * from '../data/training-baseline.ts';
