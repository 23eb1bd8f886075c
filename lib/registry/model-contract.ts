/**
 * A model's contract: what a client and a reader of its answers rely on. The model's name, the
 * target column, the classes in the order its probabilities come in, and every input column with
 * its type (and, for categorical and multi-label columns, the values it knows). Two versions
 * with equal contracts take the same requests and answer in the same terms; a version whose
 * contract differs cannot silently replace another (a binary good/bad model with other columns,
 * promoted over the three-class champion, answered every client 422 while /health said ready).
 *
 * One function computes a contract (from a version's spec and fitted preprocessor), one compares
 * two, naming each difference in words. Nothing else decides what a contract is.
 */
import { z } from 'zod';
import type { PreprocessorState } from '../data/preprocessor.ts';
import { parseStoredSpec, type DatasetSpec } from '../data/spec.ts';

const column = z.string();

export const contractColumnSchema = z.discriminatedUnion('type', [
  z.strictObject({ column, type: z.literal('numeric') }),
  /** "N Years and M Months", read as months. */
  z.strictObject({ column, type: z.literal('duration') }),
  /**
   * ordered: the spec's `order` (encoded as one ordinal number, so the order is part of the
   * meaning); otherwise the categories seen in training, sorted (one-hot: their order is not).
   */
  z.strictObject({ column, type: z.literal('categorical'), ordered: z.boolean(), categories: z.array(z.string()) }),
  /** The labels seen in training, sorted. */
  z.strictObject({ column, type: z.literal('multi-label'), labels: z.array(z.string()) }),
]);
export type ContractColumn = z.output<typeof contractColumnSchema>;

export const modelContractSchema = z.strictObject({
  name: z.string(),
  target: z.string(),
  classes: z.array(z.string()),
  columns: z.array(contractColumnSchema),
});
export type ModelContract = z.output<typeof modelContractSchema>;

/** The file beside a version's manifest that stores its contract (written when it is published). */
export const CONTRACT_FILE = 'contract.json';

const sorted = (values: Iterable<string>): string[] => [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

/** The contract of a model trained as `name` with this spec and preprocessor. */
export function contractOf(name: string, spec: DatasetSpec, preprocessor: PreprocessorState): ModelContract {
  const levels = new Map(
    preprocessor.categorical.map((step) => [step.column, step.encoding === 'onehot' ? step.levels : step.order]),
  );
  const labels = new Map(preprocessor.multiLabel.map((step) => [step.column, step.labels]));
  return {
    name,
    target: spec.target.column,
    classes: [...spec.target.classes],
    columns: [
      ...spec.numeric.map((c): ContractColumn => ({ column: c.column, type: 'numeric' })),
      ...spec.duration.map((c): ContractColumn => ({ column: c.column, type: 'duration' })),
      ...spec.categorical.map((c): ContractColumn =>
        c.order
          ? { column: c.column, type: 'categorical', ordered: true, categories: [...c.order] }
          : { column: c.column, type: 'categorical', ordered: false, categories: sorted(levels.get(c.column) ?? []) },
      ),
      ...spec.multiLabel.map((c): ContractColumn => ({
        column: c.column,
        type: 'multi-label',
        labels: sorted(labels.get(c.column) ?? []),
      })),
    ],
  };
}

/** The contract of a version's files (spec.json and preprocessor.json), as publish has them in hand. */
export function contractOfFiles(name: string, spec: Uint8Array, preprocessor: Uint8Array): ModelContract {
  const text = (bytes: Uint8Array): unknown => JSON.parse(new TextDecoder().decode(bytes));
  return contractOf(name, parseStoredSpec(text(spec), 'spec.json'), text(preprocessor) as PreprocessorState);
}

/** A contract as stored (contract.json), or null when the bytes are not one. */
export function parseContract(bytes: Uint8Array): ModelContract | null {
  try {
    const parsed = modelContractSchema.safeParse(JSON.parse(new TextDecoder().decode(bytes)));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export function contractBytes(contract: ModelContract): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(contract, null, 2) + '\n');
}

export { diffContracts, type ContractDifference, type ContractSide } from './contract-diff.ts';
