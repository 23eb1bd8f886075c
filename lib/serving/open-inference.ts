/**
 * The Open Inference Protocol (KServe v2, REST), as KServe, Triton, Seldon MLServer and their
 * clients speak it: the request, response and metadata shapes written from the protocol's
 * specification, and the translation between its tensors and our raw records.
 *
 * A table travels as MLServer's pandas codec sends it: one tensor per column, shape [n], BYTES
 * (strings) for text and FP64/FP32/INT* for numbers. A numeric column may also come as BYTES:
 * raw exports hold values such as "52312.68_", cleaned exactly as /predict cleans them. The
 * answer has two outputs: `label` (BYTES [n]) and `probabilities` (FP64 [n, classes], the
 * class names in its parameters, in column order).
 */
import { z } from 'zod';
import { declaredColumns, featureColumns, type DatasetSpec } from '../data/spec.ts';
import { DATATYPES, invalidInference as bad, tensorElements, type Element } from './oip-tensor.ts';

/** $parameters: string, number or boolean values only. */
const parametersSchema = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));

/** $tensor_data: row-major, flat or nested; null marks a missing value (an extension the spec leaves open). */
type TensorData = (string | number | boolean | null | TensorData)[];
const tensorDataSchema: z.ZodType<TensorData> = z.array(
  z.union([z.string(), z.number(), z.boolean(), z.null(), z.lazy(() => tensorDataSchema)]),
);

export const metadataTensorSchema = z.object({
  name: z.string(),
  datatype: z.enum(DATATYPES),
  shape: z.array(z.number().int()),
  parameters: parametersSchema.optional(),
});

export const serverMetadataSchema = z.object({
  name: z.string(),
  version: z.string(),
  extensions: z.array(z.string()),
});

export const modelMetadataSchema = z.object({
  name: z.string(),
  versions: z.array(z.string()).optional(),
  platform: z.string(),
  inputs: z.array(metadataTensorSchema),
  outputs: z.array(metadataTensorSchema),
  parameters: parametersSchema.optional(),
});

/** A dimension "must be an integer representable as an unsigned 64-bit integer" (the protocol); JSON numbers are exact to 2^53 - 1. */
const SHAPE = 'a list of non-negative integers';

export const requestInputSchema = z.object({
  name: z.string().min(1),
  shape: z.array(
    z
      .number({ error: SHAPE })
      .int({ error: SHAPE })
      .nonnegative({ error: SHAPE })
      .max(Number.MAX_SAFE_INTEGER, { error: SHAPE }),
    { error: SHAPE },
  ),
  datatype: z.enum(DATATYPES, { error: `one of the protocol's datatypes: ${DATATYPES.join(', ')}` }),
  parameters: parametersSchema.optional(),
  data: tensorDataSchema,
});

export const inferenceRequestSchema = z.object({
  id: z.string().optional(),
  parameters: parametersSchema.optional(),
  inputs: z.array(requestInputSchema).min(1),
  outputs: z.array(z.object({ name: z.string(), parameters: parametersSchema.optional() })).optional(),
});
export type InferenceRequest = z.output<typeof inferenceRequestSchema>;

export const responseOutputSchema = z.object({
  name: z.string(),
  shape: z.array(z.number().int().nonnegative()),
  datatype: z.enum(DATATYPES),
  parameters: parametersSchema.optional(),
  data: tensorDataSchema,
});

export const inferenceResponseSchema = z.object({
  model_name: z.string(),
  model_version: z.string().optional(),
  id: z.string().optional(),
  parameters: parametersSchema.optional(),
  outputs: z.array(responseOutputSchema),
});
export type InferenceResponse = z.output<typeof inferenceResponseSchema>;

export const inferenceErrorSchema = z.object({ error: z.string() });

export const OUTPUT_NAMES = ['label', 'probabilities'] as const;

/**
 * The request, its JSON shape checked (a problem inside an input names the input), then every
 * input tensor against the protocol's rules (lib/serving/oip-tensor.ts); an unknown output is
 * refused too, all before any work.
 */
export function parseInferenceRequest(body: unknown): InferenceRequest {
  const parsed = inferenceRequestSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const [top, index, ...rest] = issue.path;
    const input =
      top === 'inputs' && typeof index === 'number'
        ? (body as { inputs: { name?: unknown }[] }).inputs[index]
        : undefined;
    const where =
      typeof input?.name === 'string' && rest.length
        ? `input ${input.name}: ${rest.join('.')}`
        : issue.path.join('.') || '(body)';
    throw bad(`not an inference request: ${where}: ${issue.message}`);
  }
  for (const input of parsed.data.inputs) tensorElements(input);
  requestedOutputs(parsed.data);
  return parsed.data;
}

/** The model's metadata: every feature column as an input tensor, the two outputs. */
export function modelMetadata(
  name: string,
  versions: string[],
  spec: DatasetSpec,
): z.output<typeof modelMetadataSchema> {
  const numeric = new Set(spec.numeric.map((c) => c.column));
  return {
    name,
    versions,
    platform: 'mlops-credit-score',
    inputs: featureColumns(spec).map((column) => ({
      name: column,
      datatype: numeric.has(column) ? 'FP64' : 'BYTES',
      shape: [-1],
    })),
    outputs: [
      { name: 'label', datatype: 'BYTES', shape: [-1] },
      {
        name: 'probabilities',
        datatype: 'FP64',
        shape: [-1, spec.target.classes.length],
        parameters: { classes: JSON.stringify(spec.target.classes) },
      },
    ],
  };
}

/**
 * The rows of a parsed inference request as raw records, one per position along the tensors,
 * ready for the same validation and cleaning as /predict's. Inputs may also carry identifiers
 * (the routing key), the target (ignored) and sensitive columns (the applicant's group, for the
 * capture); any other name is refused, as are a name sent twice, datatypes this model does not
 * take (BOOL: no column of a credit-score spec is boolean), shapes that are not [n] or [n, 1] (one value per row) and tensors of different lengths.
 */
export function recordsFromInputs(request: InferenceRequest, spec: DatasetSpec): Record<string, unknown>[] {
  const allowed = new Set(declaredColumns(spec));
  const seen = new Set<string>();
  let rows: number | null = null;
  const columns: [string, Element[]][] = [];
  for (const input of request.inputs) {
    if (!allowed.has(input.name))
      throw bad(`input ${input.name}: not a column of this model (its inputs: GET /v2/models/{name})`);
    if (seen.has(input.name)) throw bad(`input ${input.name}: sent twice`);
    seen.add(input.name);
    const data = tensorElements(input);
    if (input.datatype === 'BOOL')
      throw bad(
        `input ${input.name}: BOOL is not served by this model: its inputs are numbers and text (FP32, FP64, INT*, UINT* or BYTES)`,
      );
    const [n, width = 1, ...rest] = input.shape;
    if (n === undefined || width !== 1 || rest.length)
      throw bad(`input ${input.name}: shape ${JSON.stringify(input.shape)} is not [n] or [n, 1] (one value per row)`);
    if (rows !== null && n !== rows) throw bad(`input ${input.name}: ${n} rows, the inputs before it have ${rows}`);
    rows = n;
    columns.push([input.name, data]);
  }
  const missing = featureColumns(spec).filter((c) => !seen.has(c));
  if (missing.length)
    throw bad(`missing input(s): ${missing.join(', ')} (one tensor per feature column; null data for unknown values)`);
  if (!rows) throw bad('the inputs have no rows');
  return Array.from({ length: rows }, (_, i) => Object.fromEntries(columns.map(([name, data]) => [name, data[i]])));
}

/** The names of the outputs asked for (all when the request names none); an unknown one is refused. */
export function requestedOutputs(request: InferenceRequest): Set<string> {
  if (!request.outputs?.length) return new Set(OUTPUT_NAMES);
  for (const o of request.outputs)
    if (!(OUTPUT_NAMES as readonly string[]).includes(o.name))
      throw bad(`output ${o.name}: unknown (this model has ${OUTPUT_NAMES.join(', ')})`);
  return new Set(request.outputs.map((o) => o.name));
}

export interface ScoredRow {
  label: string;
  probabilities: Record<string, number>;
}

export function inferenceResponse(
  modelName: string,
  version: string,
  request: InferenceRequest,
  classes: string[],
  rows: ScoredRow[],
): InferenceResponse {
  const wanted = requestedOutputs(request);
  const outputs: InferenceResponse['outputs'] = [];
  if (wanted.has('label'))
    outputs.push({ name: 'label', datatype: 'BYTES', shape: [rows.length], data: rows.map((r) => r.label) });
  if (wanted.has('probabilities')) {
    outputs.push({
      name: 'probabilities',
      datatype: 'FP64',
      shape: [rows.length, classes.length],
      parameters: { classes: JSON.stringify(classes) },
      data: rows.flatMap((r) => classes.map((c) => r.probabilities[c])),
    });
  }
  return {
    model_name: modelName,
    model_version: version,
    ...(request.id !== undefined ? { id: request.id } : {}),
    outputs,
  };
}
