/**
 * How two model contracts differ, in words (model-contract.ts says what a contract is). Apart
 * from it, with no schema library, so that the console's version comparison bundles the very
 * same comparison the registry refuses a promote with.
 */

/**
 * A contract as this comparison reads it: model-contract.ts's schema gives exactly this shape
 * (its ModelContract is passed here wherever a promote is checked, so the compiler holds the two
 * together); declared here, not imported, so the console's bundle stays free of Node and zod.
 */
export interface ContractColumn {
  column: string;
  type: 'numeric' | 'duration' | 'categorical' | 'multi-label';
  ordered?: boolean;
  categories?: string[];
  labels?: string[];
}

export interface ComparedContract {
  name: string;
  target: string;
  classes: string[];
  columns: ContractColumn[];
}

/** One way two contracts differ: the field, and both sides' values in words. */
export interface ContractDifference {
  field: string;
  message: string;
}

/** One side of a comparison: what to call it in the messages ("champion", a version id) and its contract. */
export interface ContractSide {
  label: string;
  contract: ComparedContract;
}

/** At most this many values quoted per list: Occupation has 15 levels, a message stays readable. */
const QUOTED_VALUES = 30;

function list(values: string[]): string {
  const shown = values.slice(0, QUOTED_VALUES).join(', ');
  return values.length > QUOTED_VALUES ? `[${shown}, ... ${values.length - QUOTED_VALUES} more]` : `[${shown}]`;
}

function describeValues(c: ContractColumn): string {
  if (c.type === 'categorical')
    return c.ordered ? `ordered levels ${list(c.categories ?? [])}` : `categories ${list(c.categories ?? [])}`;
  if (c.type === 'multi-label') return `labels ${list(c.labels ?? [])}`;
  return c.type;
}

const sameList = (a: string[], b: string[]): boolean => a.length === b.length && a.every((v, i) => v === b[i]);

/**
 * Every way `candidate` differs from `base`, in a stable order (name, target, classes, then the
 * columns: base's order, then the candidate's new ones); empty when they are equal.
 */
export function diffContracts(base: ContractSide, candidate: ContractSide): ContractDifference[] {
  const a = base.contract;
  const b = candidate.contract;
  const both = (field: string, was: string, is: string): ContractDifference => ({
    field,
    message: `${base.label} has ${was}, ${candidate.label} has ${is}`,
  });
  const differences: ContractDifference[] = [];
  if (a.name !== b.name) differences.push(both('name', a.name, b.name));
  if (a.target !== b.target) differences.push(both('target', a.target, b.target));
  if (!sameList(a.classes, b.classes)) differences.push(both('classes', list(a.classes), list(b.classes)));
  const theirs = new Map(b.columns.map((c) => [c.column, c]));
  const ours = new Set(a.columns.map((c) => c.column));
  for (const mine of a.columns) {
    const other = theirs.get(mine.column);
    const field = `columns.${mine.column}`;
    if (!other) {
      differences.push({
        field,
        message: `${base.label} takes ${mine.column} (${mine.type}), ${candidate.label} does not`,
      });
    } else if (mine.type !== other.type) {
      differences.push(both(`${field}.type`, mine.type, other.type));
    } else if (
      mine.type === 'categorical' &&
      (mine.ordered !== other.ordered || !sameList(mine.categories ?? [], other.categories ?? []))
    ) {
      differences.push(both(`${field}.categories`, describeValues(mine), describeValues(other)));
    } else if (mine.type === 'multi-label' && !sameList(mine.labels ?? [], other.labels ?? [])) {
      differences.push(both(`${field}.labels`, describeValues(mine), describeValues(other)));
    }
  }
  for (const other of b.columns) {
    if (!ours.has(other.column))
      differences.push({
        field: `columns.${other.column}`,
        message: `${candidate.label} takes ${other.column} (${other.type}), ${base.label} does not`,
      });
  }
  return differences;
}
