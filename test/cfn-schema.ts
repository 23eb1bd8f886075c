/**
 * The part of JSON Schema that CloudFormation's resource schemas use here (type or a list of
 * types, enum, const, required, properties, additionalProperties, items, uniqueItems, minimum,
 * maximum, minItems, maxItems, minLength, maxLength, pattern, local $ref, and cfn-lint's
 * dependentExcluded and requiredXor), enough to check a resource's Properties against its
 * schema (test/fixtures/cfn/, from cfn-lint's copy of the CloudFormation registry). A keyword
 * it does not know fails the check instead of being skipped, so a newer schema cannot pass
 * unread. An intrinsic function (Ref, Fn::GetAtt, Fn::Sub...) stands for a value only
 * CloudFormation resolves, so it is accepted wherever a value goes, as cfn-lint does.
 */
import { readFileSync } from 'node:fs';

type Schema = Record<string, unknown>;
// `format` names a CloudFormation value kind (AWS::IAM::Role.Arn...) that JSON Schema does not check.
const ANNOTATIONS = new Set(['description', 'insertionOrder', '$comment', 'examples', 'default', 'title', 'format']);

/** `{ "Ref": ... }` or `{ "Fn::...": ... }`: one key, resolved by CloudFormation at deploy time. */
export function isIntrinsic(value: unknown): boolean {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return false;
  const names = Object.keys(value);
  return names.length === 1 && (names[0] === 'Ref' || names[0] === 'Condition' || names[0].startsWith('Fn::'));
}

export function schemaProblems(value: unknown, schema: Schema, root: Schema, path = ''): string[] {
  if (typeof schema.$ref === 'string') {
    const name = /^#\/definitions\/(.+)$/.exec(schema.$ref)?.[1];
    const target = name ? (root.definitions as Record<string, Schema> | undefined)?.[name] : undefined;
    if (!target) return [`${path || '/'}: unresolved $ref ${schema.$ref}`];
    return schemaProblems(value, target, root, path);
  }
  const problems: string[] = [];
  const at = path || '/';
  for (const keyword of Object.keys(schema)) {
    if (!ANNOTATIONS.has(keyword) && !KEYWORDS.has(keyword))
      problems.push(`${at}: the checker does not know the schema keyword ${keyword}`);
  }
  if (isIntrinsic(value)) return problems;
  const types = schema.type === undefined ? [] : ([] as string[]).concat(schema.type as string | string[]);
  if (types.length && !types.some((type) => hasType(value, type)))
    return [...problems, `${at}: must be ${types.join(' or ')}, is ${JSON.stringify(value)}`];
  if (Array.isArray(schema.enum) && !schema.enum.includes(value))
    problems.push(`${at}: must be one of ${schema.enum.join(', ')}, is ${JSON.stringify(value)}`);
  if ('const' in schema && schema.const !== value) problems.push(`${at}: must be ${JSON.stringify(schema.const)}`);
  if (typeof value === 'number' && typeof schema.minimum === 'number' && value < schema.minimum)
    problems.push(`${at}: must be at least ${schema.minimum}`);
  if (typeof value === 'number' && typeof schema.maximum === 'number' && value > schema.maximum)
    problems.push(`${at}: must be at most ${schema.maximum}`);
  if (typeof value === 'string') {
    if (typeof schema.maxLength === 'number' && value.length > schema.maxLength)
      problems.push(`${at}: longer than ${schema.maxLength}`);
    if (typeof schema.minLength === 'number' && value.length < schema.minLength)
      problems.push(`${at}: shorter than ${schema.minLength}`);
    if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(value))
      problems.push(`${at}: does not match ${schema.pattern}`);
  }
  if (Array.isArray(value)) {
    if (typeof schema.minItems === 'number' && value.length < schema.minItems)
      problems.push(`${at}: fewer than ${schema.minItems} items`);
    if (typeof schema.maxItems === 'number' && value.length > schema.maxItems)
      problems.push(`${at}: more than ${schema.maxItems} items`);
    if (schema.uniqueItems === true && new Set(value.map((v) => JSON.stringify(v))).size !== value.length)
      problems.push(`${at}: items must be unique`);
    if (schema.items)
      value.forEach((item, i) => problems.push(...schemaProblems(item, schema.items as Schema, root, `${path}/${i}`)));
  }
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const object = value as Record<string, unknown>;
    const properties = (schema.properties ?? {}) as Record<string, Schema>;
    for (const name of (schema.required ?? []) as string[])
      if (!(name in object)) problems.push(`${at}: required property ${name} is missing`);
    for (const [name, child] of Object.entries(object)) {
      if (properties[name]) problems.push(...schemaProblems(child, properties[name], root, `${path}/${name}`));
      else if (schema.additionalProperties === false) problems.push(`${at}: unknown property ${name}`);
    }
    for (const [name, excluded] of Object.entries((schema.dependentExcluded ?? {}) as Record<string, string[]>)) {
      if (name in object)
        for (const other of excluded) if (other in object) problems.push(`${at}: ${name} excludes ${other}`);
    }
    const xor = schema.requiredXor as string[] | undefined;
    if (xor && xor.filter((name) => name in object).length !== 1)
      problems.push(`${at}: exactly one of ${xor.join(', ')} is required`);
  }
  return problems;
}

const KEYWORDS = new Set([
  '$ref',
  'type',
  'enum',
  'const',
  'required',
  'properties',
  'additionalProperties',
  'items',
  'uniqueItems',
  'minimum',
  'maximum',
  'minItems',
  'maxItems',
  'minLength',
  'maxLength',
  'pattern',
  'dependentExcluded',
  'requiredXor',
  'definitions',
  'typeName',
]);

/** A resource schema's own metadata (the registry's resource schema meta-schema), which no property value is checked against. */
const RESOURCE_METADATA = [
  '$schema',
  'sourceUrl',
  'tagging',
  'primaryIdentifier',
  'createOnlyProperties',
  'readOnlyProperties',
  'writeOnlyProperties',
  'replacementStrategy',
  'handlers',
  'propertyTransform',
  'deprecatedProperties',
  'additionalIdentifiers',
  'conditionalCreateOnlyProperties',
];

/**
 * CloudFormation's schema of each resource type in test/fixtures/cfn/, whole and unchanged, by
 * type name: aws-cloudformation/cfn-lint, src/cfnlint/data/schemas/providers/us_east_1/<file>.json
 * at commit fe4f513f4015854f5ff36189d4ca5512b48bdcab (the registry's schemas as of 2025-12-08,
 * the same copy as the AWS::S3::Bucket excerpt).
 */
export const RESOURCE_SCHEMAS: Record<string, Schema> = Object.fromEntries(
  [
    'aws-cloudwatch-alarm',
    'aws-lambda-eventinvokeconfig',
    'aws-logs-subscriptionfilter',
    'aws-s3-bucketpolicy',
    'aws-sns-topic',
    'aws-sqs-queue',
  ].map((file) => {
    const schema = JSON.parse(readFileSync(`test/fixtures/cfn/${file}.schema.json`, 'utf8')) as Schema;
    return [schema.typeName as string, schema];
  }),
);

/**
 * What CloudFormation's registry schema of the resource's type refuses in its Properties: the
 * schema's rules, and read-only properties (CloudFormation sets those; a template may not).
 * A type with no schema in the fixtures is a problem, not a pass.
 */
export function resourceProblems(resource: { Type: string; Properties?: unknown }): string[] {
  const schema = RESOURCE_SCHEMAS[resource.Type];
  if (!schema) return [`${resource.Type}: no schema in test/fixtures/cfn/`];
  const checked = Object.fromEntries(
    Object.entries(schema).filter(([keyword]) => !RESOURCE_METADATA.includes(keyword)),
  );
  const properties = (resource.Properties ?? {}) as Record<string, unknown>;
  const problems = schemaProblems(properties, { ...checked, type: 'object' }, schema, '');
  for (const pointer of (schema.readOnlyProperties ?? []) as string[]) {
    const name = pointer.replace(/^\/properties\//, '');
    if (name in properties) problems.push(`/${name}: read-only, CloudFormation sets it`);
  }
  return problems;
}

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case 'object':
      return value !== null && typeof value === 'object' && !Array.isArray(value);
    case 'array':
      return Array.isArray(value);
    case 'integer':
      return Number.isInteger(value);
    case 'number':
      return typeof value === 'number';
    default:
      return typeof value === type;
  }
}

/** CloudFormation's AWS::S3::Bucket schema, the excerpt for LifecycleConfiguration. */
export const S3_BUCKET_LIFECYCLE_SCHEMA = JSON.parse(
  readFileSync('test/fixtures/cfn/aws-s3-bucket-lifecycle.schema.json', 'utf8'),
) as Schema;

/**
 * What S3 refuses in a LifecycleConfiguration: the schema, and two rules the schema only states
 * in words: a Rule needs an action (the Rule definition's description in the registry schema:
 * "You must specify at least one of the following properties: AbortIncompleteMultipartUpload,
 * ExpirationDate, ExpirationInDays, NoncurrentVersionExpirationInDays, NoncurrentVersionTransition,
 * NoncurrentVersionTransitions, Transition, or Transitions", to which S3 adds
 * ExpiredObjectDeleteMarker and NoncurrentVersionExpiration), and ExpiredObjectDeleteMarker
 * cannot be specified with Days or Date in an Expiration (S3's PutBucketLifecycleConfiguration;
 * MinIO's internal/bucket/lifecycle/expiration.go refuses it in the same words). Rule Ids are
 * unique (the S3 API; the schema's uniqueItems only compares whole rules).
 */
export function s3LifecycleProblems(lifecycle: unknown): string[] {
  const property = (S3_BUCKET_LIFECYCLE_SCHEMA.properties as Record<string, Schema>).LifecycleConfiguration;
  const problems = schemaProblems(lifecycle, property, S3_BUCKET_LIFECYCLE_SCHEMA, '/LifecycleConfiguration');
  const rules = (lifecycle as { Rules?: unknown })?.Rules;
  if (!Array.isArray(rules)) return problems;
  const actions = [
    'AbortIncompleteMultipartUpload',
    'ExpirationDate',
    'ExpirationInDays',
    'ExpiredObjectDeleteMarker',
    'NoncurrentVersionExpiration',
    'NoncurrentVersionExpirationInDays',
    'NoncurrentVersionTransition',
    'NoncurrentVersionTransitions',
    'Transition',
    'Transitions',
  ];
  const ids = new Set<string>();
  rules.forEach((rule: Record<string, unknown>, i) => {
    const at = `/LifecycleConfiguration/Rules/${i}`;
    if (!actions.some((a) => a in rule)) problems.push(`${at}: a rule needs at least one action`);
    if (
      rule.ExpiredObjectDeleteMarker !== undefined &&
      (rule.ExpirationInDays !== undefined || rule.ExpirationDate !== undefined)
    )
      problems.push(`${at}: ExpiredObjectDeleteMarker cannot be specified with ExpirationInDays or ExpirationDate`);
    if (typeof rule.Id === 'string') {
      if (ids.has(rule.Id)) problems.push(`${at}: Id ${rule.Id} is not unique`);
      ids.add(rule.Id);
    }
  });
  return problems;
}
