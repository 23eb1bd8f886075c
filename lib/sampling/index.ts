/** Samplers by name, as the training CLI and the pipeline ask for them. */
import { Adasyn } from './adasyn.ts';
import { BorderlineSmote } from './borderline-smote.ts';
import { RandomOverSampler } from './random-over-sampler.ts';
import { withoutSearches, type LabelledMatrix, type Sampler, type SamplerName, type SamplerSteps } from './sampler.ts';
import { Smote } from './smote.ts';

export * from './sampler.ts';

class NoSampler implements Sampler {
  readonly name = 'none' as const;
  fitResample(data: LabelledMatrix): LabelledMatrix {
    return data;
  }

  steps(data: LabelledMatrix): SamplerSteps {
    return withoutSearches(() => data);
  }
}

/** Tuned parameters of a sampler: its number of neighbours (the neighbour-based ones), and how far it raises the minority classes. */
export interface SamplerParams {
  k_neighbors?: number;
  /** Each minority class raised to this share of the majority's count (default 1: to the majority's). */
  sampling_ratio?: number;
}

export function createSampler(name: SamplerName, randomState: number, params: SamplerParams = {}): Sampler {
  const ratio = params.sampling_ratio === undefined ? {} : { sampling_ratio: params.sampling_ratio };
  const k = params.k_neighbors === undefined ? {} : { k_neighbors: params.k_neighbors };
  switch (name) {
    case 'none':
      return new NoSampler();
    case 'ros':
      return new RandomOverSampler({ ...ratio, random_state: randomState });
    case 'smote':
      return new Smote({ ...k, ...ratio, random_state: randomState });
    case 'adasyn':
      // ADASYN calls its neighbour count n_neighbors (imbalanced-learn's name).
      return new Adasyn({
        ...(params.k_neighbors === undefined ? {} : { n_neighbors: params.k_neighbors }),
        ...ratio,
        random_state: randomState,
      });
    case 'borderline':
      return new BorderlineSmote({ ...k, ...ratio, random_state: randomState });
  }
}

export { Adasyn, BorderlineSmote, RandomOverSampler, Smote };
