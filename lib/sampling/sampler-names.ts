/** The samplers a training run can use, by the names the CLI and the retrain API use (a leaf: no sampler code). */
export const SAMPLER_NAMES = ['none', 'ros', 'smote', 'adasyn', 'borderline'] as const;
export type SamplerName = (typeof SAMPLER_NAMES)[number];
