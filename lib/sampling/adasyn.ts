/**
 * ADASYN: like SMOTE, but each minority row gets a share of the new rows proportional to how
 * many of its n nearest rows (whole data set) belong to other classes: harder rows get more.
 */
import { Random } from '../util/random.ts';
import { writeBetween } from './interpolate.ts';
import {
  appendSamples,
  raisedClasses,
  runSteps,
  SamplerError,
  type LabelledMatrix,
  type SampleBlock,
  type Sampler,
  type SamplerSteps,
} from './sampler.ts';

export class Adasyn implements Sampler {
  readonly name = 'adasyn' as const;
  readonly params: { n_neighbors: number; random_state: number; sampling_ratio: number };

  constructor(params: Partial<Adasyn['params']> = {}) {
    this.params = { n_neighbors: 5, random_state: 0, sampling_ratio: 1, ...params };
  }

  fitResample(data: LabelledMatrix): LabelledMatrix {
    return runSteps(this.steps(data));
  }

  *steps(data: LabelledMatrix): SamplerSteps {
    const rng = new Random(this.params.random_state);
    const k = this.params.n_neighbors;
    const p = data.features;
    const blocks: SampleBlock[] = [];
    for (const { label, count: wanted, members, Xc } of raisedClasses(data, this.params.sampling_ratio)) {
      const all = yield {
        points: data.X,
        pointRows: data.rows,
        queries: Xc,
        queryRows: members.length,
        features: p,
        k,
      };
      const ratio = new Float64Array(members.length);
      let total = 0;
      for (let i = 0; i < members.length; i++) {
        let others = 0;
        for (let j = 0; j < k; j++) if (data.y[all[i * k + j]] !== label) others++;
        ratio[i] = others / k;
        total += ratio[i];
      }
      if (total === 0)
        throw new SamplerError(`ADASYN: no neighbour of class ${label} belongs to another class; use another sampler`);
      const perRow = Int32Array.from(ratio, (r) => roundHalfEven((r / total) * wanted));
      const count = perRow.reduce((s, c) => s + c, 0);
      if (count === 0) throw new SamplerError(`ADASYN: no rows would be generated for class ${label}`);
      if (members.length < k + 1)
        throw new SamplerError(
          `ADASYN needs more than n_neighbors=${k} rows of class ${label}, found ${members.length}`,
        );
      const own = yield {
        points: Xc,
        pointRows: members.length,
        queries: Xc,
        queryRows: members.length,
        features: p,
        k,
      };
      const out = new Float64Array(count * p);
      let s = 0;
      for (let i = 0; i < members.length; i++) {
        for (let c = 0; c < perRow[i]; c++) {
          const neighbour = own[i * k + rng.nextInt(k)];
          writeBetween(Xc, i, Xc, neighbour, rng.nextFloat(), p, out, s++);
        }
      }
      blocks.push({ X: out, rows: count, label });
    }
    return appendSamples(data, blocks);
  }
}

/** numpy's rint: halves round to the even neighbour. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}
