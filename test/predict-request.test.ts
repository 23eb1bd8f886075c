/**
 * What a field of a prediction request may hold (lib/serving/predict-request.ts): a string of at
 * most 1,000 characters, a number, a boolean or null; anything else is named with its record's
 * index in a batch.
 */
import { describe, expect, it } from 'vitest';
import { featureColumns, loadSpec } from '../lib/data/spec.ts';
import { parsePredictRequest } from '../lib/serving/predict-request.ts';
import { DomainError } from '../lib/util/domain-error.ts';

const spec = loadSpec('data/specs/credit-score.json');
/** Every feature unknown: a valid record that each case changes in one field. */
const blank = (): Record<string, unknown> => Object.fromEntries(featureColumns(spec).map((c) => [c, null]));

function problems(body: unknown): { field: string; message: string }[] {
  try {
    parsePredictRequest(body, spec, 10);
  } catch (err) {
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).kind).toBe('invalid');
    return (err as DomainError).details ?? [];
  }
  return [];
}

describe('the values a prediction request may hold', () => {
  it('takes strings up to 1,000 characters, numbers, booleans and null', () => {
    for (const value of ['x'.repeat(1000), 42, -0.5, true, null])
      expect(problems({ ...blank(), Occupation: value }), String(value)).toEqual([]);
  });

  it('refuses a longer string, an object, an array and a number JSON cannot carry, naming the field and the record', () => {
    const field = 'Occupation';
    for (const value of ['x'.repeat(1001), { a: 1 }, [1], Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(problems({ instances: [blank(), { ...blank(), [field]: value }] }), String(value)).toEqual([
        { field: `instances[1].${field}`, message: 'expected a string (at most 1000 characters), a number or null' },
      ]);
    }
  });
});
