/**
 * Each estimator's parameters are declared once (lib/util/param-spec.ts): the random forest, the
 * boosting, the scorecard's binning and its logistic regression. From each declaration come the
 * defaults, the validation, tuning's draws and the table in docs/parameters.md; these tests check
 * the declarations against themselves (defaults and searched values are valid ones), that the
 * validation refuses a value just outside every declared range or choice list with a message
 * naming the parameter, its bounds and the value, and that the docs print what is declared.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BINNING_PARAMS } from '../lib/scorecard/binning-params.ts';
import { fitLogisticRegression, LOGISTIC_REGRESSION_PARAMS } from '../lib/scorecard/logistic-regression.ts';
import { drawConfigs } from '../lib/tuning/search-space.ts';
import { drawParams } from '../lib/tuning/draw-params.ts';
import { GRADIENT_BOOSTING_PARAMS, GradientBoostingClassifier } from '../lib/trees/gradient-boosting.ts';
import { RANDOM_FOREST_PARAMS, RandomForestClassifier } from '../lib/trees/random-forest.ts';
import {
  checkParams,
  intervalOf,
  paramDefaults,
  paramProblem,
  searchedValues,
  type ParamSpec,
  type ParamSpecs,
} from '../lib/util/param-spec.ts';
import { paramTable } from '../lib/util/param-table.ts';
import { Random } from '../lib/util/random.ts';

const DECLARATIONS = {
  'Random forest': RANDOM_FOREST_PARAMS,
  'Gradient boosting': GRADIENT_BOOSTING_PARAMS,
  'Scorecard binning': BINNING_PARAMS,
  'Scorecard logistic regression': LOGISTIC_REGRESSION_PARAMS,
} as Record<string, ParamSpecs<Record<string, unknown>>>;

const everyParam = Object.entries(DECLARATIONS).flatMap(([estimator, specs]) =>
  Object.entries(specs).map(([name, spec]) => ({ estimator, name, spec: spec as ParamSpec<unknown> })),
);

/** Values just outside what a spec accepts: past each finite bound, between integers, beside the choices. */
function justOutside(spec: ParamSpec<unknown>): unknown[] {
  const out: unknown[] = [];
  const r = spec.range;
  if (r) {
    const step = r.integer ? 1 : 1e-9;
    if (Number.isFinite(r.min)) out.push(r.aboveMin ? r.min : r.min - step);
    if (Number.isFinite(r.max)) out.push(r.belowMax ? r.max : r.max + step);
    if (r.integer) out.push((Number.isFinite(r.min) ? r.min : 0) + 0.5);
  } else if (!spec.rule) out.push(12);
  if (!spec.choices?.includes('none-such')) out.push('none-such');
  return out;
}

describe('each estimator parameter declared once', () => {
  it('declares every parameter of the four estimators with a description', () => {
    expect(everyParam.length).toBe(9 + 16 + 5 + 3);
    for (const { estimator, name, spec } of everyParam) expect(spec.description, `${estimator} ${name}`).toMatch(/\w/);
  });

  it.each(everyParam)('$estimator $name: the default and every searched value are valid', ({ name, spec }) => {
    expect(paramProblem(name, spec.default, spec)).toBeNull();
    for (const value of spec.search ? searchedValues(spec.search) : [])
      expect(paramProblem(name, value, spec)).toBeNull();
  });

  it.each(everyParam)(
    '$estimator $name: a value just outside is refused, naming the parameter, its bounds and the value',
    ({ name, spec }) => {
      const outside = justOutside(spec);
      expect(outside.length).toBeGreaterThan(0);
      for (const value of outside) {
        const problem = paramProblem(name, value, spec);
        expect(problem, String(value)).toMatch(new RegExp(`^${name} must be .*, got `));
        if (spec.range) expect(problem).toContain(intervalOf(spec.range));
      }
    },
  );

  it('the classes refuse bad parameters with the declared message, every bad one at once', () => {
    expect(() => new GradientBoostingClassifier({ subsample: 1.5 })).toThrow(
      'subsample must be a number in (0, 1], got 1.5',
    );
    expect(() => new GradientBoostingClassifier({ early_stopping_rounds: 2.5, base_score: 1 })).toThrow(
      'base_score must be a number in (0, 1), got 1; early_stopping_rounds must be an integer in [0, inf), got 2.5',
    );
    expect(() => new RandomForestClassifier({ max_depth: 2.5 })).toThrow(
      'max_depth must be null or an integer in [0, inf), got 2.5',
    );
    expect(() => new RandomForestClassifier({ max_features: 1.5 })).toThrow(
      "max_features must be one of 'sqrt', 'log2', null or a number in (0, inf) (a fraction below 1 or a whole count), got 1.5",
    );
    expect(() => new RandomForestClassifier({ class_weight: 'balanced_sample' as unknown as null })).toThrow(
      "class_weight must be one of null, 'balanced', 'balanced_subsample', got 'balanced_sample'",
    );
    expect(() =>
      fitLogisticRegression(
        { X: new Float64Array(2), rows: 2, features: 1, y: Int32Array.of(0, 1), classes: 2 },
        { max_iter: 0 },
      ),
    ).toThrow('max_iter must be an integer in [1, inf), got 0');
    // The defaults pass.
    for (const specs of Object.values(DECLARATIONS))
      expect(() => checkParams(specs, paramDefaults(specs))).not.toThrow();
  });

  it("every configuration tuning draws passes its estimator's validation", () => {
    for (let seed = 1; seed <= 20; seed++) {
      for (const { classifier } of drawConfigs('rf', 'none', 10, seed))
        expect(() => new RandomForestClassifier(classifier as object)).not.toThrow();
      for (const { classifier } of drawConfigs('xgb', 'none', 10, seed))
        expect(() => new GradientBoostingClassifier(classifier as object)).not.toThrow();
    }
  });

  it('refuses a draw order that leaves out a searched parameter or draws one that is not searched', () => {
    const rng = new Random(1);
    expect(() => drawParams(rng, BINNING_PARAMS, ['prebins', 'minBinShare', 'maxBins', 'monotone'])).toThrow(
      'draw order [prebins, minBinShare, maxBins, monotone] is not the searched parameters [prebins, minBinShare, maxBins, monotone, minIv]',
    );
    expect(() => drawParams(rng, LOGISTIC_REGRESSION_PARAMS, ['C', 'tol'])).toThrow(
      /is not the searched parameters \[C\]/,
    );
  });

  it.each(Object.keys(DECLARATIONS))('docs/parameters.md prints the %s declaration', (estimator) => {
    const doc = readFileSync(new URL('../docs/parameters.md', import.meta.url), 'utf8');
    const section = doc.split(/^## /m).find((s) => s.startsWith(`${estimator}\n`)) ?? '';
    const table = paramTable(DECLARATIONS[estimator]!);
    expect(section.includes(`\n${table}\n`), `docs/parameters.md should have, under ## ${estimator}:\n${table}`).toBe(
      true,
    );
  });
});
