/**
 * Checks an object against a CRD's openAPIV3Schema the way the API server treats a structural
 * schema (kubernetes staging/src/k8s.io/apiextensions-apiserver, release-1.31:
 * pkg/apiserver/schema/pruning/algorithm.go drops fields no schema names,
 * pkg/apiserver/validation/validation.go applies the OpenAPI keywords). Only the keywords the stored
 * schemas use are read: type (with nullable and x-kubernetes-int-or-string), properties,
 * additionalProperties, required, enum, pattern, min/maxLength, min/maxItems, min/maxProperties,
 * format int32/int64/byte. A key that no `properties` names, where neither additionalProperties nor
 * x-kubernetes-preserve-unknown-fields lets it in, is an unknown field: the server prunes it, and
 * kubectl (1.27+, strict field validation by default) refuses the apply. `metadata` is the
 * server's ObjectMeta and not checked here; CEL rules (x-kubernetes-validations) are not
 * evaluated (the trimmed schemas have none in the parts we keep).
 */
export interface Schema {
  type?: string;
  nullable?: boolean;
  properties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  items?: Schema;
  required?: string[];
  enum?: unknown[];
  pattern?: string;
  format?: string;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  minProperties?: number;
  maxProperties?: number;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
}

const typeOf = (v: unknown): string =>
  v === null ? 'null' : Array.isArray(v) ? 'array' : Number.isInteger(v) ? 'integer' : typeof v;

function typeProblem(s: Schema, v: unknown): string | undefined {
  const actual = typeOf(v);
  if (actual === 'null') return s.nullable ? undefined : 'must not be null';
  if (s['x-kubernetes-int-or-string'])
    return actual === 'integer' || actual === 'string' ? undefined : `must be an integer or a string, not ${actual}`;
  if (!s.type || s.type === actual || (s.type === 'number' && actual === 'integer')) return undefined;
  return `must be ${s.type}, not ${actual}`;
}

function scalarProblems(s: Schema, v: unknown): string[] {
  const out: string[] = [];
  if (s.enum && !s.enum.includes(v)) out.push(`must be one of ${s.enum.map((e) => JSON.stringify(e)).join(', ')}`);
  if (typeof v === 'string') {
    if (s.minLength !== undefined && v.length < s.minLength) out.push(`must be at least ${s.minLength} characters`);
    if (s.maxLength !== undefined && v.length > s.maxLength) out.push(`must be at most ${s.maxLength} characters`);
    if (s.pattern && !new RegExp(s.pattern).test(v)) out.push(`must match ${s.pattern}`);
    if (s.format === 'byte' && !/^[A-Za-z0-9+/]*={0,2}$/.test(v)) out.push('must be base64');
  }
  if (typeof v === 'number' && s.format === 'int32' && (v < -(2 ** 31) || v >= 2 ** 31)) out.push('must fit in int32');
  return out;
}

/** Problems of `value` under `schema`, each prefixed with its path (`spec.data[0].remoteRef.key`). */
export function schemaProblems(schema: Schema, value: unknown, path = ''): string[] {
  const at = (p: string): string => (path ? `${path}: ${p}` : p);
  const wrong = typeProblem(schema, value);
  if (wrong) return [at(wrong)];
  if (value === null) return [];
  const out = scalarProblems(schema, value).map(at);
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems)
      out.push(at(`must have at least ${schema.minItems} item(s)`));
    if (schema.maxItems !== undefined && value.length > schema.maxItems)
      out.push(at(`must have at most ${schema.maxItems} item(s)`));
    if (schema.items) value.forEach((v, i) => out.push(...schemaProblems(schema.items!, v, `${path}[${i}]`)));
    return out;
  }
  if (typeof value !== 'object') return out;
  const entries = Object.entries(value as Record<string, unknown>);
  if (schema.minProperties !== undefined && entries.length < schema.minProperties)
    out.push(at(`must have at least ${schema.minProperties} field(s)`));
  if (schema.maxProperties !== undefined && entries.length > schema.maxProperties)
    out.push(at(`must have at most ${schema.maxProperties} field(s)`));
  for (const name of schema.required ?? [])
    if (!(name in (value as object))) out.push(at(`required property ${name} is missing`));
  for (const [key, child] of entries) {
    const childPath = path ? `${path}.${key}` : key;
    if (!path && key === 'metadata') continue;
    const known = schema.properties?.[key];
    if (known) out.push(...schemaProblems(known, child, childPath));
    else if (typeof schema.additionalProperties === 'object')
      out.push(...schemaProblems(schema.additionalProperties, child, childPath));
    else if (!schema.additionalProperties && !schema['x-kubernetes-preserve-unknown-fields'])
      out.push(`unknown field ${childPath}`);
  }
  return out;
}
