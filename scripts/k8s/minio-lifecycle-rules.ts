/**
 * The bucket lifecycle the cluster's MinIO gets (a ConfigMap's lifecycle.json, imported by the
 * bucket Job with `mc ilm rule import`), checked as the pinned versions would take it:
 *
 * - mc RELEASE.2024-10-08T09-37-26Z (cmd/ilm-rule-import.go) decodes the JSON with
 *   encoding/json into minio-go v7.0.77's lifecycle.Configuration (pkg/lifecycle/lifecycle.go):
 *   a field it does not know is dropped without a word, a wrong type fails the decode, and no
 *   rules at all aborts the import. Here an unknown field is a problem, not silence.
 * - MinIO RELEASE.2024-10-13T13-34-11Z validates the rules it is sent
 *   (internal/bucket/lifecycle/lifecycle.go Lifecycle.Validate, rule.go Rule.Validate,
 *   expiration.go, filter.go, noncurrentversion.go): 1 to 1000 rules with unique IDs; an ID of
 *   at most 255 characters; Status Enabled or Disabled; Expiration with exactly one of Days (a
 *   positive integer) or Date, and ExpiredObjectDeleteMarker not beside either; exactly one of
 *   a rule-level Prefix or a Filter, a Filter with at most one of Prefix, Tag, And,
 *   ObjectSizeLessThan, ObjectSizeGreaterThan; NoncurrentVersionExpiration's days not
 *   negative and not both zero; at least one action. Its Rule has no
 *   AbortIncompleteMultipartUpload (rule.go: a FIXME), so that action would never run.
 *
 * Transitions (tiers) are not used here and are refused rather than half-checked.
 *
 * The images now pinned are mc RELEASE.2025-08-13T08-35-41Z (cmd/ilm-rule-import.go unchanged;
 * minio-go v7.0.90) and MinIO RELEASE.2025-09-07T16-13-09Z, whose rule.go only relaxes
 * Rule.Validate (a rule may now name neither Prefix nor Filter): what passes here passes there.
 */
export interface LifecycleObject {
  kind: string;
  metadata?: { name?: string };
  data?: Record<string, string>;
}

/** The ConfigMap key the bucket Job reads (k8s-fallback/base/minio-bucket-job.yaml). */
export const LIFECYCLE_KEY = 'lifecycle.json';

const RULE_FIELDS = [
  'AbortIncompleteMultipartUpload',
  'Expiration',
  'DelMarkerExpiration',
  'ID',
  'Filter',
  'NoncurrentVersionExpiration',
  'NoncurrentVersionTransition',
  'Prefix',
  'Status',
  'Transition',
];
const EXPIRATION_FIELDS = ['Date', 'Days', 'ExpiredObjectDeleteMarker', 'ExpiredObjectAllVersions'];
const FILTER_FIELDS = ['And', 'Prefix', 'Tag', 'ObjectSizeLessThan', 'ObjectSizeGreaterThan'];
const NONCURRENT_FIELDS = ['NoncurrentDays', 'NewerNoncurrentVersions'];

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const unknownFields = (value: Record<string, unknown>, known: string[], at: string): string[] =>
  Object.keys(value)
    .filter((k) => !known.includes(k))
    .map((k) => `${at}: unknown field ${k} (mc drops it without a word)`);

export function minioLifecycleProblems(lifecycle: unknown): string[] {
  if (!isObject(lifecycle)) return ['the lifecycle must be a JSON object {"Rules": [...]}'];
  const problems = unknownFields(lifecycle, ['Rules'], 'lifecycle');
  const rules = lifecycle.Rules;
  if (!Array.isArray(rules) || rules.length === 0)
    return [...problems, 'lifecycle: Rules must be a non-empty array (mc aborts an import without rules)'];
  if (rules.length > 1000) problems.push('lifecycle: at most 1000 rules');
  const ids = new Set<string>();
  rules.forEach((rule, i) => {
    const at = `Rules[${i}]`;
    if (!isObject(rule)) {
      problems.push(`${at}: must be an object`);
      return;
    }
    problems.push(...unknownFields(rule, RULE_FIELDS, at));
    const id = rule.ID;
    if (id !== undefined && typeof id !== 'string') problems.push(`${at}.ID: must be a string`);
    if (typeof id === 'string') {
      if (id.length > 255) problems.push(`${at}.ID: ID length is limited to 255 characters`);
      if (ids.has(id)) problems.push(`${at}.ID: Rule ID must be unique (${id})`);
      ids.add(id);
    }
    if (rule.Status === undefined || rule.Status === '') problems.push(`${at}.Status: Status should not be empty`);
    else if (rule.Status !== 'Enabled' && rule.Status !== 'Disabled')
      problems.push(`${at}.Status: Status must be set to either Enabled or Disabled`);
    if (rule.AbortIncompleteMultipartUpload !== undefined)
      problems.push(`${at}: MinIO's lifecycle has no AbortIncompleteMultipartUpload (it would never run)`);
    if (rule.Transition !== undefined || rule.NoncurrentVersionTransition !== undefined)
      problems.push(`${at}: transitions (tiers) are not used here and not checked`);
    problems.push(...expirationProblems(rule.Expiration, `${at}.Expiration`));
    problems.push(...prefixAndFilterProblems(rule, at));
    problems.push(...noncurrentProblems(rule.NoncurrentVersionExpiration, `${at}.NoncurrentVersionExpiration`));
    if (
      rule.Expiration === undefined &&
      rule.NoncurrentVersionExpiration === undefined &&
      rule.DelMarkerExpiration === undefined &&
      rule.Transition === undefined &&
      rule.NoncurrentVersionTransition === undefined
    ) {
      problems.push(
        `${at}: a rule needs an action (Expiration, NoncurrentVersionExpiration, DelMarkerExpiration or a transition)`,
      );
    }
  });
  return problems;
}

function expirationProblems(expiration: unknown, at: string): string[] {
  if (expiration === undefined) return [];
  if (!isObject(expiration)) return [`${at}: must be an object`];
  const problems = unknownFields(expiration, EXPIRATION_FIELDS, at);
  const { Days: days, Date: date, ExpiredObjectDeleteMarker: marker } = expiration;
  if (days !== undefined && (typeof days !== 'number' || !Number.isInteger(days) || days <= 0))
    problems.push(`${at}.Days: Days must be positive integer when used with Expiration (is ${JSON.stringify(days)})`);
  if (date !== undefined && (typeof date !== 'string' || !/^\d{4}-\d{2}-\d{2}T00:00:00(\.0+)?Z$/.test(date)))
    problems.push(`${at}.Date: Date must be an ISO 8601 date at midnight GMT`);
  if (days !== undefined && date !== undefined)
    problems.push(
      `${at}: Exactly one of Days (positive integer) or Date (positive ISO 8601 format) should be present inside Expiration.`,
    );
  if (marker !== undefined && (days !== undefined || date !== undefined))
    problems.push(`${at}: Delete marker cannot be specified with Days or Date in a Lifecycle Expiration Policy`);
  if (marker !== undefined && typeof marker !== 'boolean')
    problems.push(`${at}.ExpiredObjectDeleteMarker: must be true or false`);
  if (days === undefined && date === undefined && marker === undefined)
    problems.push(`${at}: needs Days, Date or ExpiredObjectDeleteMarker`);
  return problems;
}

function prefixAndFilterProblems(rule: Record<string, unknown>, at: string): string[] {
  // minio-go writes a rule-level Prefix only when non-empty, and a Filter only when it holds something.
  const prefixSet = typeof rule.Prefix === 'string' && rule.Prefix !== '';
  if (rule.Prefix !== undefined && typeof rule.Prefix !== 'string') return [`${at}.Prefix: must be a string`];
  const filter = rule.Filter;
  if (filter !== undefined && !isObject(filter)) return [`${at}.Filter: must be an object`];
  const predicates = filter
    ? FILTER_FIELDS.filter((k) => filter[k] !== undefined && filter[k] !== '' && filter[k] !== 0)
    : [];
  const problems = filter ? unknownFields(filter, FILTER_FIELDS, `${at}.Filter`) : [];
  if (prefixSet === predicates.length > 0)
    problems.push(
      `${at}: exactly one of Prefix or Filter (with a predicate) must be set (MinIO: "The XML you provided was not well-formed")`,
    );
  if (predicates.length > 1)
    problems.push(
      `${at}.Filter: Filter must have exactly one of Prefix, Tag, or And specified (has ${predicates.join(', ')})`,
    );
  if (filter && filter.Prefix !== undefined && typeof filter.Prefix !== 'string')
    problems.push(`${at}.Filter.Prefix: must be a string`);
  return problems;
}

function noncurrentProblems(value: unknown, at: string): string[] {
  if (value === undefined) return [];
  if (!isObject(value)) return [`${at}: must be an object`];
  const problems = unknownFields(value, NONCURRENT_FIELDS, at);
  const days = value.NoncurrentDays ?? 0;
  const newer = value.NewerNoncurrentVersions ?? 0;
  if (!Number.isInteger(days) || !Number.isInteger(newer))
    problems.push(`${at}: NoncurrentDays and NewerNoncurrentVersions must be integers`);
  else if ((days as number) < 0 || (newer as number) < 0) problems.push(`${at}: negative values are not supported`);
  else if (days === 0 && newer === 0)
    problems.push(`${at}: NoncurrentDays and NewerNoncurrentVersions cannot both be zero`);
  return problems;
}

/** Every ConfigMap holding a lifecycle.json, checked (npm run k8s:check). */
export function lifecycleProblems(objects: LifecycleObject[]): string[] {
  const problems: string[] = [];
  for (const o of objects) {
    const text = o.kind === 'ConfigMap' ? o.data?.[LIFECYCLE_KEY] : undefined;
    if (text === undefined) continue;
    const name = `ConfigMap/${o.metadata?.name ?? '?'}`;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      problems.push(`${name}: ${LIFECYCLE_KEY} is not JSON: ${(err as Error).message}`);
      continue;
    }
    for (const p of minioLifecycleProblems(parsed)) problems.push(`${name}: ${LIFECYCLE_KEY}: ${p}`);
  }
  return problems;
}
