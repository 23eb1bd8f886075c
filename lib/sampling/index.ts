/** Samplers by name, as the training CLI and the pipeline ask for them. */
import { Adasyn } from './adasyn.ts';
import { BorderlineSmote } from './borderline-smote.ts';
import { RandomOverSampler } from './random-over-sampler.ts';
import type { LabelledMatrix, Sampler, SamplerName } from './sampler.ts';
import { Smote } from './smote.ts';

export * from './sampler.ts';

class NoSampler implements Sampler {
  readonly name = 'none' as const;
  fitResample(data: LabelledMatrix): LabelledMatrix {
    return data;
  }
}

/** `params`: a tuned number of neighbours for the neighbour-based samplers (the others have none). */
export function createSampler(name: SamplerName, randomState: number, params: { k_neighbors?: number } = {}): Sampler {
  switch (name) {
    case 'none':
      return new NoSampler();
    case 'ros':
      return new RandomOverSampler({ random_state: randomState });
    case 'smote':
      return new Smote({ ...params, random_state: randomState });
    case 'adasyn':
      return new Adasyn({ ...params, random_state: randomState });
    case 'borderline':
      return new BorderlineSmote({ ...params, random_state: randomState });
  }
}

export { Adasyn, BorderlineSmote, RandomOverSampler, Smote };
