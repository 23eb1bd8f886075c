/**
 * The Open Inference Protocol's tensor rules (lib/serving/oip-tensor.ts), checked on requests
 * for the shipped credit-score spec: every bad tensor is a 400 whose message names the input
 * and the rule; the good ones become the records /predict would get.
 */
import { describe, expect, it } from 'vitest';
import { featureColumns, loadSpec } from '../lib/data/spec.ts';
import { toHttpError } from '../lib/http/error-response.ts';
import { parseInferenceRequest, recordsFromInputs } from '../lib/serving/open-inference.ts';

const spec = loadSpec('data/specs/credit-score.json');
const numeric = new Set(spec.numeric.map((c) => c.column));

/** One row: every feature column as a tensor of shape [1] (FP64 numbers, BYTES text). */
function inputs(): Record<string, unknown>[] {
  return featureColumns(spec).map((name) =>
    numeric.has(name)
      ? { name, shape: [1], datatype: 'FP64', data: [30] }
      : { name, shape: [1], datatype: 'BYTES', data: [null] },
  );
}

/** The row's inputs with the one named `name` replaced by `change` over it. */
function withInput(name: string, change: Record<string, unknown>): { inputs: Record<string, unknown>[] } {
  return { inputs: inputs().map((i) => (i.name === name ? { ...i, ...change } : i)) };
}

/** What the route does with a body: parse, then turn into records. Returns the 400's message, or null when accepted. */
function refusal(body: unknown): string | null {
  try {
    recordsFromInputs(parseInferenceRequest(body), spec);
    return null;
  } catch (err) {
    const answer = err instanceof Error ? toHttpError(err) : null;
    if (answer?.status !== 400 || answer.code !== 'invalid_inference_request') throw err;
    return answer.message;
  }
}

describe('Open Inference Protocol tensors', () => {
  it('accepts a well-formed request: flat or [n, 1] nested data, every served datatype in range, null as missing', () => {
    expect(refusal({ inputs: inputs() })).toBeNull();
    const nested = { inputs: inputs().map((i) => ({ ...i, shape: [1, 1], data: [i.data] })) };
    expect(refusal(nested)).toBeNull();
    for (const [datatype, value] of [
      ['INT8', -128],
      ['INT8', 127],
      ['UINT8', 255],
      ['INT16', -32768],
      ['UINT16', 65535],
      ['INT32', 2 ** 31 - 1],
      ['UINT32', 2 ** 32 - 1],
      ['INT64', Number.MAX_SAFE_INTEGER],
      ['UINT64', 0],
      ['FP32', 3.4e38],
      ['FP64', 1.5],
      ['BYTES', '44'],
    ] as const) {
      expect(refusal(withInput('Age', { datatype, data: [value] })), `${datatype} ${value}`).toBeNull();
    }
    expect(refusal(withInput('Age', { datatype: 'INT8', data: [null] }))).toBeNull();
    const [record] = recordsFromInputs(
      parseInferenceRequest(withInput('Age', { datatype: 'UINT8', shape: [1, 1], data: [[44]] })),
      spec,
    );
    expect(record.Age).toBe(44);
  });

  const refused: [string, unknown, RegExp][] = [
    [
      'a datatype outside the protocol',
      withInput('Age', { datatype: 'FLOAT' }),
      /input Age: datatype: one of the protocol's datatypes: BOOL, UINT8/,
    ],
    [
      'a lower-case datatype (names are case-sensitive)',
      withInput('Age', { datatype: 'fp64' }),
      /input Age: datatype: one of the protocol's datatypes/,
    ],
    [
      'FP16, which JSON cannot carry',
      withInput('Age', { datatype: 'FP16' }),
      /input Age: FP16 is not served here: JSON has no FP16 representation/,
    ],
    [
      'BOOL, which no column of this model takes',
      withInput('Age', { datatype: 'BOOL', data: [true] }),
      /input Age: BOOL is not served by this model/,
    ],
    [
      'BOOL data that is not boolean',
      withInput('Age', { datatype: 'BOOL', data: [1] }),
      /input Age: BOOL elements must be true or false, element 0 is 1/,
    ],
    [
      'BYTES data that is not a string',
      withInput('Occupation', { datatype: 'BYTES', data: [7] }),
      /input Occupation: BYTES elements must be strings, element 0 is 7/,
    ],
    [
      'FP64 data that is a string',
      withInput('Age', { datatype: 'FP64', data: ['rich'] }),
      /input Age: FP64 elements must be numbers, element 0 is "rich"/,
    ],
    [
      'INT8 above 127',
      withInput('Age', { datatype: 'INT8', data: [300] }),
      /input Age: INT8 elements are integers from -128 to 127, element 0 is 300/,
    ],
    [
      'INT8 below -128',
      withInput('Age', { datatype: 'INT8', data: [-129] }),
      /INT8 elements are integers from -128 to 127/,
    ],
    [
      'UINT8 negative',
      withInput('Age', { datatype: 'UINT8', data: [-1] }),
      /UINT8 elements are integers from 0 to 255/,
    ],
    [
      'INT16 out of range',
      withInput('Age', { datatype: 'INT16', data: [32768] }),
      /INT16 elements are integers from -32768 to 32767/,
    ],
    [
      'INT32 out of range',
      withInput('Age', { datatype: 'INT32', data: [2 ** 31] }),
      /INT32 elements are integers from -2147483648 to 2147483647/,
    ],
    [
      'UINT32 negative',
      withInput('Age', { datatype: 'UINT32', data: [-5] }),
      /UINT32 elements are integers from 0 to 4294967295/,
    ],
    [
      'INT64 beyond what a JSON number holds exactly',
      withInput('Age', { datatype: 'INT64', data: [2 ** 53] }),
      /INT64 elements are integers from -9007199254740991 to 9007199254740991/,
    ],
    ['UINT64 negative', withInput('Age', { datatype: 'UINT64', data: [-1] }), /UINT64 elements are integers from 0/],
    [
      'an integer type with a fraction',
      withInput('Age', { datatype: 'INT32', data: [44.5] }),
      /INT32 elements are integers/,
    ],
    [
      'FP32 beyond its largest value',
      withInput('Age', { datatype: 'FP32', data: [1e39] }),
      /FP32 elements are numbers within/,
    ],
    ['a negative dimension', withInput('Age', { shape: [-1] }), /input Age: shape\.0: a list of non-negative integers/],
    [
      'a fractional dimension',
      withInput('Age', { shape: [1.5] }),
      /input Age: shape\.0: a list of non-negative integers/,
    ],
    ['a shape that is not a list', withInput('Age', { shape: 1 }), /input Age: shape: a list of non-negative integers/],
    [
      'a shape whose product is not the element count',
      withInput('Age', { shape: [2] }),
      /input Age: shape \[2\] holds 2 element\(s\), data has 1/,
    ],
    [
      'nested data that does not follow the shape',
      withInput('Age', { shape: [2, 1], data: [[30, 31]] }),
      /input Age: data must be flat or nested exactly as the shape \[2,1\] says \(dimension 0 has 2/,
    ],
    [
      'data nested deeper than the shape',
      withInput('Age', { shape: [1], data: [[30]] }),
      /input Age: data is nested deeper than the shape \[1\] says/,
    ],
    [
      'flat and nested mixed',
      withInput('Age', { shape: [2, 1], data: [[30], 31] }),
      /input Age: data must be flat or nested exactly as the shape/,
    ],
    [
      'a shape the protocol allows but this model does not take',
      withInput('Age', { shape: [1, 2], data: [30, 31] }),
      /input Age: shape \[1,2\] is not \[n\] or \[n, 1\] \(one value per row\)/,
    ],
    ['an input sent twice', { inputs: [...inputs(), inputs()[0]] }, /input Age: sent twice/],
    [
      'an input that is not a column of the model',
      { inputs: [...inputs(), { name: 'Colour', shape: [1], datatype: 'BYTES', data: ['red'] }] },
      /input Colour: not a column of this model/,
    ],
    ['a missing column', { inputs: inputs().slice(1) }, /missing input\(s\): Age/],
    [
      'tensors of different lengths',
      withInput('Age', { shape: [2], data: [30, 31] }),
      /input [A-Za-z_]+: 1 rows, the inputs before it have 2/,
    ],
    ['an object where an element goes', withInput('Age', { data: [{ years: 3 }] }), /input Age: data/],
    ['no inputs', { inputs: [] }, /not an inference request: inputs/],
  ];
  for (const [what, body, message] of refused) {
    it(`refuses ${what} with 400`, () => {
      expect(refusal(body)).toMatch(message);
    });
  }
});
