/**
 * A fitted scorecard as an artifact stores it (scorecard.json): the plan that turns a cleaned
 * row into the scorecard's column values, and the fit itself. Parsed by a schema on load, so a
 * damaged file is refused naming what is wrong instead of scoring with NaN points.
 */
import { z } from 'zod';
import { columnNames, type ColumnPlan } from './columns.ts';
import type { FittedScorecard } from './scorecard-model.ts';

export interface StoredScorecard {
  plan: ColumnPlan;
  fitted: FittedScorecard;
}

const finite = z.number().finite();
const direction = z.enum(['ascending', 'descending']);
const counts = {
  label: z.string(),
  events: z.number().nonnegative(),
  nonEvents: z.number().nonnegative(),
  woe: finite,
};
const bin = z.object({ ...counts, iv: finite });
const featureBinning = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('numeric'),
    name: z.string(),
    splits: z.array(finite),
    direction,
    bins: z.array(bin).min(1),
    iv: finite,
  }),
  z.object({
    kind: z.literal('categorical'),
    name: z.string(),
    groups: z.array(z.array(z.string())),
    bins: z.array(bin).min(1),
    iv: finite,
  }),
]);

const fittedSchema = z.object({
  columns: z.array(z.string()),
  binning: z.object({
    features: z.array(featureBinning),
    // wrongSign: absent in artifacts fitted before the sign check, which still load.
    dropped: z.array(
      z.object({
        name: z.string(),
        iv: finite,
        wrongSign: z
          .object({ coefficient: finite, beside: z.string().nullable(), correlation: finite.nullable() })
          .optional(),
      }),
    ),
    params: z.object({
      prebins: z.number().int(),
      minBinShare: finite,
      maxBins: z.number().int(),
      monotone: z.enum(['ascending', 'descending', 'auto']),
      minIv: finite,
    }),
  }),
  model: z.object({
    classes: z.number().int().min(2),
    features: z.number().int().nonnegative(),
    coef: z.array(z.array(finite)),
    intercept: z.array(finite),
    standardErrors: z.object({ coef: z.array(z.number()), intercept: z.number() }).optional(),
    iterations: z.number().int().nonnegative(),
    converged: z.boolean(),
  }),
  eventClass: z.number().int().nonnegative(),
  goodClass: z.number().int().nonnegative(),
  card: z.object({
    scaling: z.object({ baseScore: finite, baseOdds: finite.positive(), pdo: finite.positive() }),
    factor: finite,
    offset: finite,
    features: z.array(
      z.object({ name: z.string(), coefficient: finite, bins: z.array(z.object({ ...counts, points: finite })) }),
    ),
  }),
});

export const storedScorecardSchema = z
  .object({
    plan: z.object({
      numeric: z.array(z.string()),
      categorical: z.array(z.object({ column: z.string(), order: z.array(z.string()).optional() })),
      multiLabel: z.array(z.object({ column: z.string(), labels: z.array(z.string()) })),
    }),
    fitted: fittedSchema,
  })
  .superRefine((s, ctx) => {
    const problem = shapeProblem(s);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

/** The first inconsistency between the parts of a scorecard (they must index each other exactly), or null. */
function shapeProblem({ plan, fitted }: StoredScorecard): string | null {
  const names = columnNames(plan);
  if (names.join('\u0000') !== fitted.columns.join('\u0000'))
    return 'fitted.columns differ from the columns of the plan';
  const { features } = fitted.binning;
  const { model, card } = fitted;
  const M = model.classes === 2 ? 1 : model.classes;
  if (model.coef.length !== M || model.intercept.length !== M)
    return `model has ${model.coef.length} coefficient rows for ${model.classes} classes`;
  if (model.coef.some((row) => row.length !== features.length))
    return `model coefficients are not ${features.length} long (one per binned feature)`;
  if (fitted.eventClass >= model.classes || fitted.goodClass >= model.classes)
    return 'eventClass or goodClass is not a class of the model';
  if (card.features.length !== features.length)
    return `the points table has ${card.features.length} features, the binning ${features.length}`;
  for (const [j, f] of features.entries()) {
    if (!names.includes(f.name)) return `binned feature ${f.name} is not a column of the plan`;
    if (card.features[j].name !== f.name || card.features[j].bins.length !== f.bins.length)
      return `points of feature ${f.name} do not match its bins`;
    const expected = f.kind === 'numeric' ? f.splits.length + 2 : f.groups.length + 2;
    if (f.bins.length !== expected)
      return `feature ${f.name} has ${f.bins.length} bins, its ${f.kind === 'numeric' ? 'splits' : 'groups'} make ${expected}`;
  }
  return null;
}
