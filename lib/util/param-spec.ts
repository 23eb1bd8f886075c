/**
 * One declaration per estimator parameter: its default, the values a fit accepts, what tuning
 * searches and a one-line description, side by side so they cannot drift apart. From it come an
 * estimator's defaults (paramDefaults), its validation (paramProblems / checkParams), tuning's
 * draws (lib/tuning/draw-params.ts) and the parameter tables of docs/parameters.md
 * (lib/util/param-table.ts); test/param-specs.test.ts checks every searched value is a valid one.
 */

/** The numbers a parameter accepts. */
export interface NumericRange {
  /** Smallest valid value; with `aboveMin`, the value must be strictly greater. */
  min: number;
  aboveMin?: boolean;
  /** Largest valid value; with `belowMax`, the value must be strictly smaller. */
  max: number;
  belowMax?: boolean;
  integer?: boolean;
}

/**
 * What tuning does with a parameter: draws a number in [low, high] (uniformly, or uniformly in
 * the logarithm; an integer when the range is integer), picks one of `pick`, or sets `fixed`
 * (a value every tuned configuration uses, e.g. many boosting rounds cut by early stopping).
 */
export type ParamSearch<T> =
  { low: number; high: number; scale: 'linear' | 'log' } | { pick: readonly T[] } | { fixed: T };

export interface ParamSpec<T> {
  /** One line: what the parameter does (docs/parameters.md prints it). */
  description: string;
  default: T;
  /** Values accepted as they are, compared with === (names like 'sqrt', null, true/false). */
  choices?: readonly T[];
  /** Numbers accepted (absent: no number is, unless listed in `choices`). */
  range?: NumericRange;
  /** A further condition on a value outside `choices`, and how the message says it. */
  rule?: { holds: (value: T) => boolean; says: string };
  /** Absent: tuning leaves the parameter at its default (or the run's setting). */
  search?: ParamSearch<T>;
}

/** An estimator's declaration: one spec per parameter, in the parameters' order. */
export type ParamSpecs<P> = { [K in keyof P]-?: ParamSpec<P[K]> };

/** A value as a message or a table prints it: strings quoted, arrays and null as JSON. */
export function formatValue(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'number') return value === Infinity ? 'inf' : value === -Infinity ? '-inf' : String(value);
  return JSON.stringify(value) ?? String(value);
}

/** "[2, inf)", "(0, 1]": the interval of a range. */
export function intervalOf(r: NumericRange): string {
  const open = r.aboveMin || r.min === -Infinity ? '(' : '[';
  const close = r.belowMax || r.max === Infinity ? ')' : ']';
  return `${open}${formatValue(r.min)}, ${formatValue(r.max)}${close}`;
}

export function inRange(value: number, r: NumericRange): boolean {
  const inside = (r.aboveMin ? value > r.min : value >= r.min) && (r.belowMax ? value < r.max : value <= r.max);
  return inside && (!r.integer || Number.isInteger(value));
}

/** What a spec accepts, in words: "null or an integer in [1, inf)". */
export function acceptedValues(spec: ParamSpec<unknown>): string {
  const parts: string[] = [];
  const choices = spec.choices ?? [];
  if (choices.length === 1) parts.push(formatValue(choices[0]));
  else if (choices.length > 1) parts.push(`one of ${choices.map(formatValue).join(', ')}`);
  if (spec.range) parts.push(`${spec.range.integer ? 'an integer' : 'a number'} in ${intervalOf(spec.range)}`);
  const accepted = parts.join(' or ');
  if (!spec.rule) return accepted;
  return accepted ? `${accepted} (${spec.rule.says})` : spec.rule.says;
}

/** Null when `value` is valid, else the problem ("prebins must be an integer in [2, inf), got 1.5"). */
export function paramProblem<T>(name: string, value: T, spec: ParamSpec<T>): string | null {
  if (spec.choices?.includes(value)) return null;
  const numberOk = spec.range === undefined || (typeof value === 'number' && inRange(value, spec.range));
  const ruleOk = spec.rule === undefined || spec.rule.holds(value);
  if (numberOk && ruleOk && (spec.range !== undefined || spec.rule !== undefined)) return null;
  return `${name} must be ${acceptedValues(spec as ParamSpec<unknown>)}, got ${formatValue(value)}`;
}

/** Every invalid parameter of `values`, one message each, in the declaration's order. */
export function paramProblems<P>(specs: ParamSpecs<P>, values: P): string[] {
  const problems: string[] = [];
  for (const name of Object.keys(specs) as (keyof P & string)[]) {
    const problem = paramProblem(name, values[name], specs[name]);
    if (problem) problems.push(problem);
  }
  return problems;
}

/** Throws a RangeError naming every invalid parameter (its bound and its value). */
export function checkParams<P>(specs: ParamSpecs<P>, values: P): void {
  const problems = paramProblems(specs, values);
  if (problems.length) throw new RangeError(problems.join('; '));
}

/** The defaults a fit uses when not told otherwise. */
export function paramDefaults<P>(specs: ParamSpecs<P>): P {
  const defaults: Partial<P> = {};
  for (const name of Object.keys(specs) as (keyof P)[]) defaults[name] = specs[name].default;
  return defaults as P;
}

/** The values a search can give, a drawn range by its ends: each must be a valid value (test/param-specs.test.ts). */
export function searchedValues<T>(search: ParamSearch<T>): readonly unknown[] {
  if ('pick' in search) return search.pick;
  if ('fixed' in search) return [search.fixed];
  return [search.low, search.high];
}
