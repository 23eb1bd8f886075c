/** The model's name carried by the dataset spec: defaulted, checked as a registry name, suggested by spec init. */
import { describe, expect, it } from 'vitest';
import { parseCsv } from '../lib/data/dataset.ts';
import { inferSpec, modelNameFrom } from '../lib/data/spec-init.ts';
import { DEFAULT_MODEL_NAME, loadSpec, parseSpec, parseStoredSpec, SpecError } from '../lib/data/spec.ts';
import { NAME_PATTERN } from '../lib/state/layout.ts';

const target = { column: 'y', classes: ['no', 'yes'] };

describe("the spec's model name", () => {
  it('is the spec\'s "name", and credit-score when the spec has none', () => {
    expect(parseSpec({ name: 'card-default', target, numeric: ['x'] }).name).toBe('card-default');
    expect(parseSpec({ target, numeric: ['x'] }).name).toBe(DEFAULT_MODEL_NAME);
    expect(DEFAULT_MODEL_NAME).toBe('credit-score');
  });

  it('must be a registry name: spaces, a leading dot and 65 characters are refused, naming the field', () => {
    for (const name of ['my model', '.hidden', 'a'.repeat(65), '']) {
      expect(() => parseSpec({ name, target, numeric: ['x'] }, 'my-spec.json'), name).toThrow(SpecError);
      expect(() => parseSpec({ name, target, numeric: ['x'] }, 'my-spec.json'), name).toThrow(/name: .*a model name/);
    }
    expect(parseSpec({ name: 'a'.repeat(64), target, numeric: ['x'] }).name).toHaveLength(64);
  });

  it('of a spec stored in an artifact before names were registry names is kept as it was', () => {
    expect(parseStoredSpec({ name: 'My model (v1)', target, numeric: ['x'] }, 'spec.json').name).toBe('My model (v1)');
    expect(parseStoredSpec({ name: 'fine-name', target, numeric: ['x'] }, 'spec.json').name).toBe('fine-name');
  });

  it('of both shipped specs is their registry name', () => {
    expect(loadSpec('data/specs/credit-score.json').name).toBe('credit-score');
    expect(loadSpec('data/specs/taiwan-credit-default.json').name).toBe('taiwan-credit-default');
  });
});

describe('spec init names the model', () => {
  const table = parseCsv(['ID,Income,Credit_Score', '1,10,Good', '2,20,Poor', '3,30,Good'].join('\n'), 'own.csv');

  it('after the target column by default, and as given otherwise; the result parses', () => {
    expect(inferSpec(table, 'Credit_Score').name).toBe('credit-score');
    expect(parseSpec(inferSpec(table, 'Credit_Score', 'card-default')).name).toBe('card-default');
  });

  it('always a registry name, whatever the column is called', () => {
    for (const column of ['Credit_Score', '__Risk Level (%)__', 'Ünïcode', 'x'.repeat(100), `${'y'.repeat(63)}_z`]) {
      const name = modelNameFrom(column);
      expect(name, column).toMatch(NAME_PATTERN);
    }
    expect(modelNameFrom('__Risk Level (%)__')).toBe('risk-level');
    expect(modelNameFrom('Ünïcode')).toBe('n-code');
  });
});
