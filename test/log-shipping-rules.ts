/**
 * The rules a log line meets on its way from the service to Elasticsearch, each read from the
 * upstream that applies it (we cannot run Filebeat or Elasticsearch here):
 *
 *  - Filebeat's ndjson parser (elastic/beats, libbeat/common/jsontransform/jsonhelper.go and
 *    expand.go, 8.x): with overwrite_keys, `@timestamp` replaces the read time only when it is a
 *    string in RFC 3339 (or "2006-01-02T15:04:05.000Z0700"); otherwise the event keeps the time
 *    it was read and gets an error. With expand_keys, dotted keys become objects, and a key that
 *    is both a value and a prefix of another key ("model" and "model.name") is a conflict: the
 *    event gets an error and none of the line's fields.
 *  - Elasticsearch's mapping (Elasticsearch reference 8.x, "Field data types", "object",
 *    "enabled", "coerce", "date" formats): a scalar where the template maps an object (or an
 *    object where it maps a value) refuses the document; numbers take numbers or numeric
 *    strings, booleans true/false/"true"/"false", dates the default
 *    strict_date_optional_time||epoch_millis; keyword and text take any scalar; an object with
 *    `enabled: false` is kept in _source unparsed.
 *  - ECS 8.10.0 (observability/elk/ecs-8.10.0-fields.json, read from elastic/ecs): a field ECS
 *    defines is mapped to ECS's type (or one of its family: Elasticsearch groups keyword with
 *    constant_keyword and wildcard, text with match_only_text), and a custom field inside an
 *    ECS field set does not collide with an ECS field.
 *
 * What is not checked: the shipper and the cluster themselves (no binary here), ingest-time
 * limits (field count, depth: a line has a few dozen fields, the limits are 1,000 and 20).
 */
import { isIP } from 'node:net';
import { readFileSync } from 'node:fs';

export interface Mapping {
  type?: string;
  enabled?: boolean;
  dynamic?: boolean | string;
  properties?: Record<string, Mapping>;
}

export interface IndexTemplate {
  index_patterns: string[];
  data_stream?: object;
  priority?: number;
  template: { mappings: Mapping };
}

export interface EcsFields {
  version: string;
  fieldSets: string[];
  fields: Record<string, string>;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

export const readTemplate = (file: string): IndexTemplate => JSON.parse(readFileSync(file, 'utf8')) as IndexTemplate;
export const readEcs = (file = 'observability/elk/ecs-8.10.0-fields.json'): EcsFields =>
  JSON.parse(readFileSync(file, 'utf8')) as EcsFields;
export const readLines = (file: string): JsonObject[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as JsonObject);

const isObject = (v: Json | undefined): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

// Go's time.RFC3339 layout, which also takes a fraction of a second after the seconds when parsing.
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const BEATS_ISO8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}(Z|[+-]\d{4})$/;

/** Filebeat's expand_keys: dotted keys into objects, merging objects; a value met where an object is (or the reverse) is a conflict. */
export function expandKeys(line: JsonObject): { doc: JsonObject; conflict: string | null } {
  const doc: JsonObject = {};
  const put = (target: JsonObject, path: string[], value: Json, whole: string): string | null => {
    const [head, ...rest] = path;
    if (rest.length === 0) {
      const old = target[head];
      if (old === undefined) {
        target[head] = isObject(value) ? expandKeys(value).doc : value;
        return null;
      }
      if (isObject(old) && isObject(value)) {
        for (const [k, v] of Object.entries(value)) {
          const problem = put(old, k.split('.'), v, `${whole}.${k}`);
          if (problem) return problem;
        }
        return null;
      }
      return `cannot expand "${whole}": "${head}" is both a value and an object in this line`;
    }
    const next = target[head];
    if (next === undefined) target[head] = {};
    else if (!isObject(next)) return `cannot expand "${whole}": "${head}" is both a value and an object in this line`;
    return put(target[head] as JsonObject, rest, value, whole);
  };
  for (const [key, value] of Object.entries(line)) {
    const conflict = put(doc, key.split('.'), value, key);
    if (conflict) return { doc, conflict };
  }
  return { doc, conflict: null };
}

/** What Filebeat's ndjson parser (target "", overwrite_keys, expand_keys) would do wrong with a line. */
export function filebeatProblems(line: JsonObject): string[] {
  const problems: string[] = [];
  const ts = line['@timestamp'];
  if (typeof ts !== 'string') problems.push('@timestamp is not a string: Filebeat keeps the time it read the line');
  else if (!RFC3339.test(ts) && !BEATS_ISO8601.test(ts))
    problems.push(
      `@timestamp "${ts}" is neither RFC 3339 nor Filebeat's ISO 8601 layout: Filebeat keeps the time it read the line`,
    );
  if ('type' in line && (typeof line.type !== 'string' || line.type === '' || line.type.startsWith('_')))
    problems.push('"type" must be a non-empty string not starting with "_"');
  if ('@metadata' in line && !isObject(line['@metadata'])) problems.push('"@metadata" must be an object');
  const { conflict } = expandKeys(line);
  if (conflict) problems.push(`${conflict}: Filebeat drops the line's fields`);
  return problems;
}

const KEYWORD_FAMILY = ['keyword', 'constant_keyword', 'wildcard'];
const TEXT_FAMILY = ['text', 'match_only_text'];
const INTEGER_RANGES: Record<string, [number, number]> = {
  long: [-(2 ** 63), 2 ** 63 - 1],
  integer: [-(2 ** 31), 2 ** 31 - 1],
  short: [-32768, 32767],
  byte: [-128, 127],
};
const FLOATS = ['double', 'float', 'half_float', 'scaled_float'];
const NUMERIC = /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/;
// Elasticsearch's default date format strict_date_optional_time: a date, optionally a time and a zone.
const STRICT_DATE_OPTIONAL_TIME =
  /^\d{4}(-\d{2}(-\d{2}(T\d{2}(:\d{2}(:\d{2}([.,]\d{1,9})?)?)?(Z|[+-]\d{2}(:?\d{2})?)?)?)?)?$/;

/** Why Elasticsearch would refuse `value` for a field mapped as `type`, or null when it takes it. */
function valueProblem(type: string, value: Json): string | null {
  if (value === null) return null;
  if (Array.isArray(value)) {
    for (const item of value) {
      const problem = valueProblem(type, item);
      if (problem) return problem;
    }
    return null;
  }
  if (isObject(value)) return `an object where the template maps ${type}`;
  if (KEYWORD_FAMILY.includes(type) || TEXT_FAMILY.includes(type)) return null;
  if (type in INTEGER_RANGES) {
    const n =
      typeof value === 'number' ? value : typeof value === 'string' && NUMERIC.test(value) ? Number(value) : NaN;
    const [min, max] = INTEGER_RANGES[type];
    if (Number.isNaN(n)) return `${JSON.stringify(value)} is not a number (${type})`;
    return Math.trunc(n) < min || Math.trunc(n) > max ? `${n} is out of the range of ${type}` : null;
  }
  if (FLOATS.includes(type))
    return typeof value === 'number' || (typeof value === 'string' && NUMERIC.test(value))
      ? null
      : `${JSON.stringify(value)} is not a number (${type})`;
  if (type === 'boolean')
    return typeof value === 'boolean' || value === 'true' || value === 'false' || value === ''
      ? null
      : `${JSON.stringify(value)} is not a boolean`;
  if (type === 'date')
    return (typeof value === 'number' && Number.isInteger(value)) ||
      (typeof value === 'string' && STRICT_DATE_OPTIONAL_TIME.test(value))
      ? null
      : `${JSON.stringify(value)} is not a date in strict_date_optional_time||epoch_millis`;
  // Elasticsearch's ip field takes an IPv4 or IPv6 address as a string (a CIDR range only in queries).
  if (type === 'ip')
    return typeof value === 'string' && isIP(value) !== 0
      ? null
      : `${JSON.stringify(value)} is not an IPv4 or IPv6 address`;
  return `the check does not know the type ${type}`;
}

/**
 * Why the index would refuse or fail to index a (Filebeat-expanded) document: every field must
 * be mapped (the template has `dynamic: false`, so an unmapped field is kept but not
 * searchable: a field the service writes is meant to be found), with a type that takes it.
 */
export function mappingProblems(doc: JsonObject, mapping: Mapping, path = ''): string[] {
  const problems: string[] = [];
  for (const [key, value] of Object.entries(doc)) {
    const field = path + key;
    const node = mapping.properties?.[key];
    if (!node) {
      problems.push(`${field} is not mapped`);
      continue;
    }
    if (node.enabled === false) continue;
    if (node.properties) {
      const objects = Array.isArray(value) ? value : [value];
      for (const item of objects) {
        if (isObject(item)) problems.push(...mappingProblems(item, node, `${field}.`));
        else if (item !== null)
          problems.push(`${field}: ${JSON.stringify(item)} is a value where the template maps an object`);
      }
      continue;
    }
    const problem = valueProblem(node.type ?? 'object', value);
    if (problem) problems.push(`${field}: ${problem}`);
  }
  return problems;
}

/** Every mapped leaf of a template: its dotted path and type. */
export function leaves(mapping: Mapping, path = ''): { field: string; type: string }[] {
  return Object.entries(mapping.properties ?? {}).flatMap(([key, node]) =>
    node.properties ? leaves(node, `${path}${key}.`) : [{ field: path + key, type: node.type ?? 'object' }],
  );
}

const family = (type: string): string =>
  KEYWORD_FAMILY.includes(type) ? 'keyword' : TEXT_FAMILY.includes(type) ? 'text' : type;

/** Where the template disagrees with ECS: an ECS field of another type family, or a custom field that collides with an ECS field. */
export function ecsProblems(mapping: Mapping, ecs: EcsFields): string[] {
  const problems: string[] = [];
  for (const { field, type } of leaves(mapping)) {
    const ecsType = ecs.fields[field];
    if (ecsType !== undefined) {
      if (family(ecsType) !== family(type))
        problems.push(`${field} is ${type}; ECS ${ecs.version} defines it as ${ecsType}`);
      continue;
    }
    if (!ecs.fieldSets.includes(field.split('.')[0])) continue;
    const parts = field.split('.');
    for (let i = 1; i < parts.length; i++) {
      const prefix = parts.slice(0, i).join('.');
      if (ecs.fields[prefix] !== undefined && ecs.fields[prefix] !== 'object')
        problems.push(
          `${field} makes an object of ${prefix}, which ECS ${ecs.version} defines as ${ecs.fields[prefix]}`,
        );
    }
    if (Object.keys(ecs.fields).some((f) => f.startsWith(`${field}.`)))
      problems.push(`${field} is a ${type}; ECS ${ecs.version} has fields under it`);
  }
  return problems;
}

/** A `*` glob of index_patterns matched against a name. */
export const matchesPattern = (pattern: string, name: string): boolean =>
  new RegExp(
    `^${pattern
      .split('*')
      .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  ).test(name);

/**
 * Elasticsearch 8.x's rules for a data stream's template (reference: "Set up a data stream",
 * "Index templates"): it declares `data_stream` and maps @timestamp as date or date_nanos; and
 * Elasticsearch ships built-in templates of priority 100 for logs-*-* (and metrics-*-*,
 * synthetics-*-*), so a template for a name they match needs a higher priority to apply.
 */
export function dataStreamProblems(template: IndexTemplate, dataStream: string): string[] {
  const problems: string[] = [];
  if (!template.index_patterns.some((p) => matchesPattern(p, dataStream)))
    problems.push(`index_patterns ${JSON.stringify(template.index_patterns)} do not match ${dataStream}`);
  if (!template.data_stream)
    problems.push("the template does not declare data_stream: the shipper's create requests would make a plain index");
  const ts = template.template.mappings.properties?.['@timestamp']?.type;
  if (ts !== 'date' && ts !== 'date_nanos')
    problems.push(`@timestamp is mapped as ${ts ?? 'nothing'}; a data stream needs date or date_nanos`);
  const builtIn = ['logs-*-*', 'metrics-*-*', 'synthetics-*-*'].find((p) => matchesPattern(p, dataStream));
  if (builtIn && (template.priority ?? 0) <= 100)
    problems.push(
      `${dataStream} matches the built-in ${builtIn} template (priority 100): priority ${template.priority ?? 0} loses to it`,
    );
  return problems;
}
