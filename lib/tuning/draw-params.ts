/**
 * Tuning's draws from an estimator's declared parameters (lib/util/param-spec.ts): each searched
 * parameter's value, in a fixed order. The order is how the seeded generator is consumed, so it is
 * pinned: the same seed draws the same configurations as before the declarations existed
 * (test/search-space-draws.test.ts), and tuned results stay reproducible across versions.
 */
import type { ParamSpec, ParamSpecs } from '../util/param-spec.ts';
import type { Random } from '../util/random.ts';

export const pick = <T>(rng: Random, values: readonly T[]): T => values[rng.nextInt(values.length)]!;
// Three significant digits: a configuration reads well in a log and a report, and a draw closer
// than that to another scores the same within noise.
const logUniform = (rng: Random, low: number, high: number): number =>
  Number(Math.exp(Math.log(low) + rng.nextFloat() * (Math.log(high) - Math.log(low))).toPrecision(3));
const uniform = (rng: Random, low: number, high: number): number =>
  Number((low + rng.nextFloat() * (high - low)).toPrecision(3));

/** One value of a searched parameter. */
export function drawParam<T>(rng: Random, name: string, spec: ParamSpec<T>): T {
  const search = spec.search;
  if (!search) throw new Error(`${name} is not searched`);
  if ('pick' in search) return pick(rng, search.pick);
  if ('fixed' in search) return search.fixed;
  const { low, high, scale } = search;
  let x: number;
  if (spec.range?.integer) {
    // Every integer of [low, high] equally likely (linear) or its width in the logarithm (log).
    const u =
      scale === 'log'
        ? Math.exp(Math.log(low) + rng.nextFloat() * (Math.log(high + 1) - Math.log(low)))
        : low + rng.nextFloat() * (high + 1 - low);
    x = Math.min(high, Math.floor(u));
  } else x = scale === 'log' ? logUniform(rng, low, high) : uniform(rng, low, high);
  return x as T;
}

/** The parameters a declaration searches, in its order. */
export function searchedParams<P>(specs: ParamSpecs<P>): (keyof P & string)[] {
  return (Object.keys(specs) as (keyof P & string)[]).filter((name) => specs[name].search !== undefined);
}

/**
 * A draw of every searched parameter, in `order`: exactly the searched ones (else this throws,
 * so a parameter given a search range cannot be left out of the draws, nor one drawn unsearched).
 */
export function drawParams<P>(rng: Random, specs: ParamSpecs<P>, order: readonly (keyof P & string)[]): Partial<P> {
  const searched = searchedParams(specs);
  if (order.length !== searched.length || !searched.every((name) => order.includes(name)))
    throw new Error(`draw order [${order.join(', ')}] is not the searched parameters [${searched.join(', ')}]`);
  const drawn: Partial<P> = {};
  for (const name of order) drawn[name] = drawParam(rng, name, specs[name]);
  return drawn;
}
