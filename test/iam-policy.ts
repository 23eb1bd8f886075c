/**
 * Test helper: the part of IAM's policy evaluation a role's S3 statements use here (IAM user
 * guide, "Policy evaluation logic" and "IAM JSON policy elements"): an explicit Deny wins, then
 * an Allow, else the request is refused; Action and Resource match with the wildcards * (any
 * run of characters, slashes included) and ? (one character); conditions StringLike (the key
 * present and matching one of the values) and Null ("true": the key absent). The only request
 * key is s3:prefix, which S3 sets on a ListObjects call that names a prefix. Anything else in a
 * statement (another operator, an intrinsic other than Fn::Sub) throws: not understood is not
 * allowed.
 */
export interface S3Request {
  action: string;
  /** The object key; '' for a bucket-level call. */
  key: string;
  /** A list call's prefix (s3:prefix), when it names one. */
  prefix?: string;
  /** How the request was seen, for messages. */
  what?: string;
}

export interface Statement {
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, string | string[]>>;
}

const list = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

function wildcard(pattern: string, flags = ''): RegExp {
  const body = [...pattern]
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`, flags);
}

/** A Resource entry as a string: plain, or Fn::Sub of pseudo parameters in the aws partition. */
function resourceArn(resource: unknown): string {
  if (typeof resource === 'string') return resource;
  const sub = (resource as { 'Fn::Sub'?: unknown })?.['Fn::Sub'];
  if (typeof sub === 'string' && !/\$\{(?!AWS::Partition\})/.test(sub))
    return sub.replaceAll('${AWS::Partition}', 'aws');
  throw new Error(`cannot evaluate the resource ${JSON.stringify(resource)}`);
}

function conditionHolds(condition: Statement['Condition'], context: Record<string, string | undefined>): boolean {
  for (const [operator, tests] of Object.entries(condition ?? {})) {
    for (const [key, expected] of Object.entries(tests)) {
      const value = context[key];
      if (operator === 'StringLike') {
        if (value === undefined || !list(expected).some((pattern) => wildcard(pattern).test(value))) return false;
      } else if (operator === 'Null') {
        if ((value === undefined) !== (String(expected) === 'true')) return false;
      } else {
        throw new Error(`cannot evaluate the condition operator ${operator}`);
      }
    }
  }
  return true;
}

function matches(statement: Statement, arn: string, request: S3Request): boolean {
  if (!list(statement.Action).some((action) => wildcard(action, 'i').test(request.action))) return false;
  if (!list(statement.Resource).some((resource) => wildcard(resourceArn(resource)).test(arn))) return false;
  return conditionHolds(statement.Condition, { 's3:prefix': request.prefix });
}

/** Whether the statements let the request through on the bucket. */
export function allows(statements: Statement[], bucket: string, request: S3Request): boolean {
  const arn = request.key ? `arn:aws:s3:::${bucket}/${request.key}` : `arn:aws:s3:::${bucket}`;
  const matching = statements.filter((s) => matches(s, arn, request));
  return !matching.some((s) => s.Effect === 'Deny') && matching.some((s) => s.Effect === 'Allow');
}
