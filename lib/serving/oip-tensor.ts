/**
 * The Open Inference Protocol's rules for one input tensor, checked before any model sees it.
 * Read from the protocol's own text, KServe "Predict Protocol - Version 2"
 * (kserve/kserve docs/predict-api/v2/required_api.md; the same words are in
 * kserve/open-inference-protocol specification/protocol/inference_rest.md):
 *
 * - "Tensor Data Types" lists thirteen datatypes, BOOL, UINT8/16/32/64, INT8/16/32/64,
 *   FP16/32/64 and BYTES, with their sizes in bytes: a name outside the list is not a tensor.
 * - Each shape dimension "must be an integer representable as an unsigned 64-bit integer": a
 *   list of non-negative integers (JSON numbers are exact up to 2^53 - 1, so that is our bound).
 * - "Tensor Data": row-major, either flattened to one dimension or in its natural
 *   multi-dimensional form; so data is flat with as many elements as the shape's product, or
 *   nested exactly as the shape says (every level as long as its dimension), never in between.
 * - Elements "may be an integer, floating-point number, string or boolean" and the server may
 *   coerce them or return an error: we return an error (400, the protocol's "typically 400")
 *   for an element that is not of the declared type or does not fit its size in bytes (INT8 is
 *   one byte: -128..127; UINT* is never negative; 64-bit integers beyond 2^53 - 1 do not survive
 *   JSON). The one extension is `null`, a missing value, which the model handles as /predict does.
 * - FP16 "is problematic to communicate explicitly" as JSON (no standard representation): we
 *   do not serve it, and say so, rather than read a JSON number as something it is not.
 */
import { DomainError } from '../util/domain-error.ts';

export const DATATYPES = [
  'BOOL',
  'UINT8',
  'UINT16',
  'UINT32',
  'UINT64',
  'INT8',
  'INT16',
  'INT32',
  'INT64',
  'FP16',
  'FP32',
  'FP64',
  'BYTES',
] as const;
export type Datatype = (typeof DATATYPES)[number];

/** Integer datatypes and their ranges: their size in bytes, 64-bit ones cut to what a JSON number holds exactly. */
const INTEGER_RANGES: Partial<Record<Datatype, [number, number]>> = {
  INT8: [-(2 ** 7), 2 ** 7 - 1],
  INT16: [-(2 ** 15), 2 ** 15 - 1],
  INT32: [-(2 ** 31), 2 ** 31 - 1],
  INT64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  UINT8: [0, 2 ** 8 - 1],
  UINT16: [0, 2 ** 16 - 1],
  UINT32: [0, 2 ** 32 - 1],
  UINT64: [0, Number.MAX_SAFE_INTEGER],
};

/** The largest finite IEEE 754 single-precision value: an FP32 element beyond it is not an FP32. */
const FP32_MAX = 3.4028234663852886e38;

export type Element = string | number | boolean | null;

/** A request the protocol's rules refuse: answered 400 invalid_inference_request (lib/http/error-response.ts). */
export const invalidInference = (message: string): DomainError =>
  new DomainError('malformed', message, undefined, 'invalid_inference_request');

/** A tensor as it arrives (after the request's JSON shape is checked): its elements are still unchecked. */
export interface TensorInput {
  name: string;
  shape: number[];
  datatype: Datatype;
  data: unknown[];
}

/** The tensor's elements, flat and row-major, once every rule above holds; else a 400 naming the input and the rule. */
export function tensorElements(input: TensorInput): Element[] {
  const at = `input ${input.name}`;
  if (input.datatype === 'FP16')
    throw invalidInference(
      `${at}: FP16 is not served here: JSON has no FP16 representation (the protocol says so); send FP32 or FP64`,
    );
  const expected = input.shape.reduce((product, dim) => product * dim, 1);
  const elements = input.data.some(Array.isArray) ? nested(input.data, input.shape, at) : (input.data as Element[]);
  if (elements.length !== expected)
    throw invalidInference(
      `${at}: shape ${JSON.stringify(input.shape)} holds ${expected} element(s), data has ${elements.length}`,
    );
  elements.forEach((element, i) => {
    const problem = elementProblem(input.datatype, element);
    if (problem) throw invalidInference(`${at}: ${problem}, element ${i} is ${JSON.stringify(element)}`);
  });
  return elements;
}

/** Nested data, checked level by level against the shape, as one flat row-major list. */
function nested(data: unknown[], shape: number[], at: string): Element[] {
  const into: Element[] = [];
  const walk = (level: unknown, depth: number): void => {
    if (depth === shape.length) {
      if (Array.isArray(level))
        throw invalidInference(`${at}: data is nested deeper than the shape ${JSON.stringify(shape)} says`);
      into.push(level as Element);
      return;
    }
    if (!Array.isArray(level) || level.length !== shape[depth]) {
      throw invalidInference(
        `${at}: data must be flat or nested exactly as the shape ${JSON.stringify(shape)} says (dimension ${depth} has ${shape[depth]} element(s))`,
      );
    }
    for (const item of level) walk(item, depth + 1);
  };
  walk(data, 0);
  return into;
}

function elementProblem(datatype: Datatype, v: Element): string | null {
  if (v === null) return null;
  if (datatype === 'BOOL') return typeof v === 'boolean' ? null : 'BOOL elements must be true or false';
  if (datatype === 'BYTES') return typeof v === 'string' ? null : 'BYTES elements must be strings';
  const range = INTEGER_RANGES[datatype];
  if (range)
    return typeof v === 'number' && Number.isInteger(v) && v >= range[0] && v <= range[1]
      ? null
      : `${datatype} elements are integers from ${range[0]} to ${range[1]}`;
  if (datatype === 'FP32')
    return typeof v === 'number' && Math.abs(v) <= FP32_MAX ? null : `FP32 elements are numbers within ±${FP32_MAX}`;
  return typeof v === 'number' ? null : `${datatype} elements must be numbers`;
}
