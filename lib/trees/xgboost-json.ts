/**
 * XGBoost interop: a model saved by Python xgboost with `save_model("model.json")` loaded into
 * the compiled ensemble. Numerical (non-categorical) splits with gbtree; objectives
 * multi:softprob / multi:softmax (softmax over per-class margins) and binary:logistic.
 */
import { z } from 'zod';
import { CompiledEnsemble } from './compiled-ensemble.ts';
import { Tree } from './tree.ts';

const numberLike = z.union([
  z.number(),
  z.string().transform((s, ctx) => {
    const n = Number(s);
    if (!Number.isFinite(n)) ctx.addIssue({ code: 'custom', message: `not a number: ${s}` });
    return n;
  }),
]);
const flag = z.union([z.boolean(), z.number()]).transform((v) => (v ? 1 : 0));

const treeSchema = z.object({
  left_children: z.array(z.number().int()),
  right_children: z.array(z.number().int()),
  split_indices: z.array(z.number().int()),
  split_conditions: z.array(z.number()),
  default_left: z.array(flag),
  split_type: z.array(z.number().int()).optional(),
  /** Each node's hessian sum: the cover TreeSHAP weighs paths by (absent in hand-written models). */
  sum_hessian: z.array(z.number()).optional(),
});

const modelSchema = z.object({
  learner: z.object({
    learner_model_param: z.object({ base_score: numberLike, num_class: numberLike, num_feature: numberLike }),
    objective: z.object({ name: z.string() }),
    gradient_booster: z.object({
      name: z.string(),
      model: z.object({ trees: z.array(treeSchema), tree_info: z.array(z.number().int()) }),
    }),
  }),
});

export class XgboostImportError extends Error {
  override name = 'XgboostImportError';
}

export function loadXgboostJson(json: unknown): CompiledEnsemble {
  const parsed = modelSchema.safeParse(json);
  if (!parsed.success) {
    throw new XgboostImportError(
      `not an xgboost JSON model: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  const { learner } = parsed.data;
  if (learner.gradient_booster.name !== 'gbtree')
    throw new XgboostImportError(`booster ${learner.gradient_booster.name} is not supported (gbtree only)`);
  const objective = learner.objective.name;
  const numClass = learner.learner_model_param.num_class;
  const features = learner.learner_model_param.num_feature;
  const baseScore = learner.learner_model_param.base_score;
  let aggregation: 'softmax' | 'logistic';
  let classes: number;
  let baseMargin: number[];
  if (objective === 'multi:softprob' || objective === 'multi:softmax') {
    aggregation = 'softmax';
    classes = numClass;
    baseMargin = new Array<number>(classes).fill(baseScore);
  } else if (objective === 'binary:logistic') {
    aggregation = 'logistic';
    classes = 2;
    baseMargin = [Math.log(baseScore / (1 - baseScore))];
  } else {
    throw new XgboostImportError(
      `objective ${objective} is not supported (multi:softprob, multi:softmax, binary:logistic)`,
    );
  }
  const { trees, tree_info } = learner.gradient_booster.model;
  if (tree_info.length !== trees.length) throw new XgboostImportError('tree_info and trees differ in length');
  const built = trees.map((t, i) => toTree(t, i, features));
  return CompiledEnsemble.fromTrees(built, tree_info, { aggregation, classes, features, baseMargin });
}

function toTree(t: z.infer<typeof treeSchema>, index: number, features: number): Tree {
  const n = t.left_children.length;
  if ([t.right_children, t.split_indices, t.split_conditions, t.default_left].some((a) => a.length !== n)) {
    throw new XgboostImportError(`tree ${index}: node arrays differ in length`);
  }
  if (t.split_type?.some((s) => s !== 0))
    throw new XgboostImportError(`tree ${index}: categorical splits are not supported`);
  const tree = new Tree(1);
  for (let i = 0; i < n; i++) tree.addNode();
  if (t.sum_hessian && t.sum_hessian.length !== n)
    throw new XgboostImportError(`tree ${index}: sum_hessian has ${t.sum_hessian.length} values for ${n} nodes`);
  t.sum_hessian?.forEach((cover, i) => tree.setCover(i, cover));
  for (let i = 0; i < n; i++) {
    const left = t.left_children[i];
    if (left === -1) {
      // A leaf keeps its value in split_conditions.
      tree.setLeaf(i, [t.split_conditions[i]]);
      continue;
    }
    const right = t.right_children[i];
    const feature = t.split_indices[i];
    if (left <= i || right <= i || left >= n || right >= n)
      throw new XgboostImportError(`tree ${index}: node ${i} has children out of range`);
    if (feature < 0 || feature >= features)
      throw new XgboostImportError(`tree ${index}: node ${i} splits on feature ${feature} of ${features}`);
    tree.setSplit(i, feature, 0, Math.fround(t.split_conditions[i]), t.default_left[i] === 1, left, right);
  }
  return tree;
}
