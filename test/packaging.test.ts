/**
 * `npm run package` with no AWS access: the deployable zips and the CloudFormation template,
 * and the Lambda build itself: a handler bundle running on the layer bundle.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import JSZip from 'jszip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmbeddedS3 } from '../lib/storage/embedded-s3.ts';
import { EVENT_FUNCTION_FILES, lambdaFunctionFiles, ROUTES } from '../functions/routes.ts';
import { adminByDefault, ROUTE_TABLE } from '../lib/http/route-table.ts';
import { createLogger } from '../lib/observability/logger.ts';
import { PREFIXES } from '../lib/state/layout.ts';
import { RETENTION_DEFAULTS, s3LifecycleRules } from '../lib/state/retention.ts';
import { resourceProblems, s3LifecycleProblems } from './cfn-schema.ts';
import { SERVERLESS_BIN, SERVERLESS_ENV } from '../scripts/serverless-env.ts';
import { tempDir } from './helpers.ts';
import { startServingS3 } from './s3.ts';

let output = '';
type Template = {
  Resources: Record<
    string,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- CloudFormation JSON
    { Type: string; Condition?: string; DeletionPolicy?: string; Properties: Record<string, any> }
  >;
  Conditions?: Record<string, unknown>;
  Outputs: Record<string, { Value: unknown }>;
};
let template: Template;

beforeAll(async () => {
  const env = { ...process.env };
  for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_PROFILE', 'AWS_SESSION_TOKEN'])
    delete env[name];
  output = await new Promise((done, fail) =>
    execFile(
      'node_modules/.bin/tsx',
      ['scripts/package.ts', '--stage', 'prod'],
      { env, timeout: 480_000, maxBuffer: 1 << 24 },
      (err, stdout, stderr) => (err ? fail(new Error(`${err.message}\n${stdout}\n${stderr}`)) : done(stdout + stderr)),
    ),
  );
  template = JSON.parse(readFileSync('.serverless/cloudformation-template-update-stack.json', 'utf8'));
}, 500_000);

/** The file names in a zip that `serverless package` wrote (directories left out). */
const zipEntries = async (zip: string): Promise<string[]> =>
  Object.keys((await JSZip.loadAsync(readFileSync(`.serverless/${zip}`))).files).filter((name) => !name.endsWith('/'));

describe('npm run package (offline)', () => {
  it('writes small function zips and one layer with lib/ and the runtime dependencies', async () => {
    expect(output).toMatch(/Service packaged/);
    const camel = (file: string): string => file.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    for (const fn of lambdaFunctionFiles()
      .filter((f) => f !== 'retrain-worker')
      .map(camel)) {
      expect(statSync(`.serverless/${fn}.zip`).size).toBeLessThan(4096);
      expect(await zipEntries(`${fn}.zip`)).toHaveLength(1);
    }
    expect((await zipEntries('model.zip')).sort()).toEqual(
      ['batch-worker.mjs', 'index.mjs', 'monitoring-worker.mjs', 'package.json', 'training-worker.mjs'].map(
        (f) => `nodejs/node_modules/credit-score-model/${f}`,
      ),
    );
    expect((await zipEntries('retrainWorker.zip')).sort()).toEqual([
      'data/credit_score_customers_raw.csv',
      'data/specs/credit-score.json',
      'data/specs/taiwan-credit-default.json',
      'dist/functions/retrain-worker.mjs',
    ]);
  });

  it('declares the routes, the layer, the bucket and the secret', () => {
    const resources = Object.values(template.Resources);
    const routes = resources
      .filter((r) => r.Type === 'AWS::ApiGatewayV2::Route')
      .map((r) => r.Properties.RouteKey)
      .sort();
    // serverless.yml declares exactly the route table's public routes, and the documented 404 for the rest.
    expect(routes).toEqual(['$default', ...ROUTES.map((r) => `${r.method} ${r.path}`)].sort());
    const functions = resources.filter((r) => r.Type === 'AWS::Lambda::Function');
    expect(functions).toHaveLength(lambdaFunctionFiles().length);
    expect(EVENT_FUNCTION_FILES).toHaveLength(5);
    expect(
      resources
        .filter((r) => r.Type === 'AWS::Events::Rule')
        .map((r) => r.Properties.ScheduleExpression)
        .sort(),
    ).toEqual(['rate(1 hour)', 'rate(1 hour)', 'rate(1 minute)']);
    for (const fn of functions) {
      expect(fn.Properties.Layers).toEqual([{ Ref: 'ModelLambdaLayer' }]);
      // The stack's own secret, by its ARN (CloudFormation names it: no clash after a remove).
      expect(fn.Properties.Environment.Variables.SECRETS_ID).toEqual({ Ref: 'ServiceSecret' });
    }
    expect(template.Resources.ServiceSecret.Properties.Name).toBeUndefined();
    expect(template.Resources.ModelLambdaLayer.Type).toBe('AWS::Lambda::LayerVersion');
    expect(template.Resources.ModelBucket.Properties.PublicAccessBlockConfiguration.BlockPublicPolicy).toBe(true);
    expect(template.Resources.ServiceSecret.Properties.GenerateSecretString.GenerateStringKey).toBe('adminApiKey');
  });

  it('runs every function and the layer on nodejs22.x, and the framework packages it without a warning', () => {
    // Lambda stops creating nodejs20.x functions on 2027-02-01 and updating them on 2027-03-03.
    // Serverless Framework 3.40's schema stops at nodejs20.x and warns on nodejs22.x; osls 3 knows it.
    expect(output).not.toMatch(/warning|deprecat/i);
    const functions = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Lambda::Function');
    for (const fn of functions) expect(fn.Properties.Runtime).toBe('nodejs22.x');
    expect(template.Resources.ModelLambdaLayer.Properties.CompatibleRuntimes).toEqual(['nodejs22.x']);
  });

  it('gives each function least privilege: the public ones read and write captures only', () => {
    const statements = (role: string): { Action: string[]; Resource: unknown }[] =>
      template.Resources[role].Properties.Policies[0].PolicyDocument.Statement;
    const resourcesOf = (role: string, action: string): unknown[] =>
      statements(role)
        .filter((s) => s.Action.includes(action))
        .flatMap((s) => s.Resource);
    const joined = (suffix: string) => ({
      'Fn::Sub': `arn:\${AWS::Partition}:s3:::mlops-credit-score-prod-models${suffix}`,
    });
    // No default role: every function names one of the two.
    expect(template.Resources.IamRoleLambdaExecution).toBeUndefined();
    const roleOf = (logicalId: string): string => template.Resources[logicalId].Properties.Role['Fn::GetAtt'][0];
    const camel = (file: string): string => file.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    const logical = (file: string): string => `${camel(file)[0].toUpperCase()}${camel(file).slice(1)}LambdaFunction`;
    // A function whose routes are all public runs as PublicFunctionsRole; v2-infer too (its one
    // admin route only reads); admin routes, the worker and the schedules as OperatorFunctionsRole.
    for (const file of lambdaFunctionFiles()) {
      const routes = ROUTES.filter((r) => r.file === file);
      const publicOnly =
        routes.length > 0 &&
        routes.every((r) => !adminByDefault(ROUTE_TABLE[`${r.method} ${r.path}` as keyof typeof ROUTE_TABLE]));
      // metrics: asks for the admin key on a cloud stage and reads job records and drift reports.
      const expected =
        (publicOnly && file !== 'metrics') || file === 'v2-infer' || file === 'not-found'
          ? 'PublicFunctionsRole'
          : 'OperatorFunctionsRole';
      expect(roleOf(logical(file)), file).toBe(expected);
    }
    for (const fn of ['predict', 'info', 'health']) expect(roleOf(logical(fn))).toBe('PublicFunctionsRole');
    expect(roleOf(logical('metrics'))).toBe('OperatorFunctionsRole');
    expect(resourcesOf('PublicFunctionsRole', 's3:PutObject')).toEqual([joined('/captures/*')]);
    // Reads: the registry only (test/lambda-permissions.test.ts runs the public routes and checks
    // that is all they read).
    expect(resourcesOf('PublicFunctionsRole', 's3:GetObject')).toEqual([joined('/models/*')]);
    for (const action of ['s3:DeleteObject', 'lambda:InvokeFunction'])
      expect(resourcesOf('PublicFunctionsRole', action)).toEqual([]);
    // The operators: deletes only of version files; writes only under the layout's prefixes.
    expect(resourcesOf('OperatorFunctionsRole', 's3:DeleteObject')).toEqual([joined('/models/*/versions/*')]);
    const writable = resourcesOf('OperatorFunctionsRole', 's3:PutObject').map(
      (r) => /-models\/([a-z]+)\/\*$/.exec((r as { 'Fn::Sub': string })['Fn::Sub'])![1],
    );
    expect(writable.sort()).toEqual(
      Object.values(PREFIXES)
        .filter((p) => p !== PREFIXES.data)
        .map((p) => p.slice(0, -1))
        .sort(),
    );
    for (const role of ['PublicFunctionsRole', 'OperatorFunctionsRole']) {
      expect(resourcesOf(role, 'secretsmanager:GetSecretValue')).toEqual([{ Ref: 'ServiceSecret' }]);
      expect(statements(role).some((s) => s.Action.includes('s3:*') || s.Action.includes('*'))).toBe(false);
    }
  });

  it('expires captures, feedback and rollups by lifecycle rules equal to the retention rule, in the shape CloudFormation takes', () => {
    const bucket = template.Resources.ModelBucket.Properties;
    expect(bucket.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    // The one source of truth: lib/state/retention.ts, with serverless.yml's default params.
    expect(bucket.LifecycleConfiguration).toEqual({ Rules: s3LifecycleRules(RETENTION_DEFAULTS) });
    const expiring = bucket.LifecycleConfiguration.Rules.filter(
      (r: { ExpirationInDays?: number }) => r.ExpirationInDays !== undefined,
    );
    expect(expiring.map((r: { Prefix: string; ExpirationInDays: number }) => [r.Prefix, r.ExpirationInDays])).toEqual([
      [PREFIXES.captures, RETENTION_DEFAULTS.captureDays],
      [PREFIXES.feedback, RETENTION_DEFAULTS.feedbackDays],
      [PREFIXES.summaries, RETENTION_DEFAULTS.summaryDays],
    ]);
    // Checked against CloudFormation's AWS::S3::Bucket schema (test/fixtures/cfn/) and S3's rules.
    expect(s3LifecycleProblems(bucket.LifecycleConfiguration)).toEqual([]);
    // The functions know the periods, and that the store enforces them (housekeeping deletes nothing).
    for (const fn of Object.values(template.Resources).filter((r) => r.Type === 'AWS::Lambda::Function')) {
      expect(fn.Properties.Environment.Variables).toMatchObject({
        CAPTURE_RETENTION_DAYS: '30',
        FEEDBACK_RETENTION_DAYS: '30',
        SUMMARY_RETENTION_DAYS: '400',
        RETENTION_ENFORCED_BY: 'store',
      });
    }
  });

  it('takes other periods from --param, as integers (a period given on the command line is a string)', async () => {
    const env = {
      ...process.env,
      ...SERVERLESS_ENV,
      AWS_ACCESS_KEY_ID: 'offline-print',
      AWS_SECRET_ACCESS_KEY: 'offline-print',
    };
    const args = [
      'print',
      '--stage',
      'prod',
      '--format',
      'json',
      '--param=captureRetentionDays=60',
      '--param=feedbackRetentionDays=90',
      '--param=summaryRetentionDays=800',
    ];
    const printed: string = await new Promise((done, fail) =>
      execFile(SERVERLESS_BIN, args, { env, timeout: 120_000, maxBuffer: 1 << 24 }, (err, stdout, stderr) =>
        err ? fail(new Error(`${err.message}\n${stderr}`)) : done(stdout),
      ),
    );
    const config = JSON.parse(printed.slice(printed.indexOf('{')));
    const periods = { captureDays: 60, feedbackDays: 90, summaryDays: 800 };
    expect(config.resources.Resources.ModelBucket.Properties.LifecycleConfiguration).toEqual({
      Rules: s3LifecycleRules(periods),
    });
    expect(s3LifecycleProblems(config.resources.Resources.ModelBucket.Properties.LifecycleConfiguration)).toEqual([]);
    expect(config.provider.environment).toMatchObject({
      CAPTURE_RETENTION_DAYS: '60',
      FEEDBACK_RETENTION_DAYS: '90',
      SUMMARY_RETENTION_DAYS: '800',
    });
  }, 150_000);

  it('refuses lifecycle rules CloudFormation or S3 would refuse', () => {
    const good = { Id: 'expire-captures', Status: 'Enabled', Prefix: 'captures/', ExpirationInDays: 30 };
    const problems = (...rules: Record<string, unknown>[]): string => s3LifecycleProblems({ Rules: rules }).join('\n');
    expect(problems(good)).toBe('');
    const { Status: _status, ...noStatus } = good;
    expect(problems(noStatus)).toMatch(/Rules\/0: required property Status is missing/);
    expect(problems({ ...good, ExpirationInDays: '30' })).toMatch(
      /Rules\/0\/ExpirationInDays: must be integer, is "30"/,
    );
    expect(problems({ ...good, Status: 'enabled' })).toMatch(/Rules\/0\/Status: must be one of Enabled, Disabled/);
    expect(problems({ ...good, Expiration: { Days: 30 } })).toMatch(/Rules\/0: unknown property Expiration/);
    expect(problems({ ...good, NoncurrentVersionExpiration: {} })).toMatch(
      /NoncurrentVersionExpiration: required property NoncurrentDays is missing/,
    );
    expect(problems({ ...good, AbortIncompleteMultipartUpload: { DaysAfterInitiation: -1 } })).toMatch(
      /DaysAfterInitiation: must be at least 0/,
    );
    expect(problems({ ...good, Id: 'x'.repeat(256) })).toMatch(/Rules\/0\/Id: longer than 255/);
    expect(problems({ ...good, ExpiredObjectDeleteMarker: true })).toMatch(
      /ExpiredObjectDeleteMarker cannot be specified with ExpirationInDays/,
    );
    expect(problems({ Id: 'nothing', Status: 'Enabled', Prefix: 'captures/' })).toMatch(/needs at least one action/);
    expect(problems(good, { ...good, ExpirationInDays: 31 })).toMatch(/Id expire-captures is not unique/);
    expect(s3LifecycleProblems({ Rules: [good], Rule: [] }).join('\n')).toMatch(/unknown property Rule/);
  });

  it('keeps keys out of the cloud template, asks for the key on /metrics, throttles, and fails a dead retrain at once', () => {
    const functions = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Lambda::Function');
    for (const fn of functions) {
      const names = Object.keys(fn.Properties.Environment.Variables);
      for (const secret of [
        'ADMIN_API_KEYS',
        'S3_ACCESS_KEY_ID',
        'S3_SECRET_ACCESS_KEY',
        'S3_ENDPOINT',
        'LAMBDA_ENDPOINT',
      ])
        expect(names).not.toContain(secret);
      expect(fn.Properties.Environment.Variables.METRICS_PUBLIC).toBe('false');
    }
    const stage = Object.values(template.Resources).find((r) => r.Type === 'AWS::ApiGatewayV2::Stage')!;
    expect(stage.Properties.DefaultRouteSettings.ThrottlingRateLimit).toBeGreaterThan(0);
    expect(stage.Properties.DefaultRouteSettings.ThrottlingBurstLimit).toBeGreaterThan(0);
    const invoke = Object.values(template.Resources).find(
      (r) =>
        r.Type === 'AWS::Lambda::EventInvokeConfig' && r.Properties.FunctionName.Ref === 'RetrainWorkerLambdaFunction',
    )!;
    expect(invoke.Properties.FunctionName).toEqual({ Ref: 'RetrainWorkerLambdaFunction' });
    expect(invoke.Properties.DestinationConfig.OnFailure.Destination).toEqual({
      'Fn::GetAtt': ['RetrainWorkerFailedLambdaFunction', 'Arn'],
    });
    expect(invoke.Properties.MaximumRetryAttempts).toBe(0);
  });
});

describe('the packaged stack against CloudFormation and the platform', () => {
  const resourcesOfType = (type: string) => Object.entries(template.Resources).filter(([, r]) => r.Type === type);
  const arnOf = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });

  it("fits CloudFormation's schema of every resource type it adds", () => {
    const checked = [
      'AWS::CloudWatch::Alarm',
      'AWS::Lambda::EventInvokeConfig',
      'AWS::S3::BucketPolicy',
      'AWS::SNS::Topic',
      'AWS::SQS::Queue',
    ];
    for (const type of checked) {
      expect(resourcesOfType(type).length, type).toBeGreaterThan(0);
      for (const [id, resource] of resourcesOfType(type)) expect(resourceProblems(resource), id).toEqual([]);
    }
  });

  it('refuses what those schemas refuse (test/fixtures/cfn/refused-resources.json)', () => {
    const { cases } = JSON.parse(readFileSync('test/fixtures/cfn/refused-resources.json', 'utf8')) as {
      cases: { name: string; problem: string; resource: { Type: string; Properties: unknown } }[];
    };
    for (const c of cases) expect(resourceProblems(c.resource).join('\n'), c.name).toContain(c.problem);
    // An intrinsic stands for a value CloudFormation resolves, wherever a value goes.
    expect(
      resourceProblems({ Type: 'AWS::SQS::Queue', Properties: { MessageRetentionPeriod: { Ref: 'Retention' } } }),
    ).toEqual([]);
  });

  it('keeps the bucket TLS-only: a policy denies every request not made over TLS', () => {
    const policy = template.Resources.ModelBucketPolicy;
    expect(policy.Type).toBe('AWS::S3::BucketPolicy');
    expect(policy.Properties.Bucket).toBe('mlops-credit-score-prod-models');
    const bucket = 'arn:${AWS::Partition}:s3:::mlops-credit-score-prod-models';
    expect(policy.Properties.PolicyDocument.Statement).toEqual([
      {
        Sid: 'DenyInsecureTransport',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: [{ 'Fn::Sub': bucket }, { 'Fn::Sub': `${bucket}/*` }],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
    ]);
  });

  it('reserves concurrency for predict and caps the retrain worker, with throttles alarmed', () => {
    expect(template.Resources.PredictLambdaFunction.Properties.ReservedConcurrentExecutions).toBe(50);
    expect(template.Resources.RetrainWorkerLambdaFunction.Properties.ReservedConcurrentExecutions).toBe(2);
    const reserved = resourcesOfType('AWS::Lambda::Function')
      .filter(([, r]) => r.Properties.ReservedConcurrentExecutions !== undefined)
      .map(([id]) => id);
    expect(reserved.sort()).toEqual(['PredictLambdaFunction', 'RetrainWorkerLambdaFunction']);
    for (const id of ['PredictThrottlesAlarm', 'RetrainWorkerThrottlesAlarm'])
      expect(template.Resources[id].Properties.MetricName).toBe('Throttles');
  });

  it('gives every scheduled function bounded retries and an on-failure destination its role may send to', () => {
    const scheduled = resourcesOfType('AWS::Events::Rule').flatMap(([, rule]) =>
      rule.Properties.Targets.map((t: { Arn: { 'Fn::GetAtt': [string, string] } }) => t.Arn['Fn::GetAtt'][0]),
    );
    expect(scheduled.sort()).toEqual([
      'CanarySchedulerLambdaFunction',
      'DriftSchedulerLambdaFunction',
      'HousekeepingSchedulerLambdaFunction',
    ]);
    const configs = resourcesOfType('AWS::Lambda::EventInvokeConfig').map(([, r]) => r.Properties);
    for (const fn of scheduled) {
      const config = configs.find((c) => c.FunctionName.Ref === fn);
      expect(config, fn).toBeDefined();
      expect(config!.MaximumRetryAttempts, fn).toBeLessThan(2);
      expect(config!.DestinationConfig.OnFailure.Destination, fn).toEqual(arnOf('ScheduleFailuresQueue'));
      expect(template.Resources[fn].Properties.Role['Fn::GetAtt'][0]).toBe('OperatorFunctionsRole');
    }
    const sends = template.Resources.OperatorFunctionsRole.Properties.Policies[0].PolicyDocument.Statement.filter(
      (st: { Action: string[] }) => st.Action.includes('sqs:SendMessage'),
    );
    expect(sends.map((st: { Resource: unknown }) => st.Resource)).toEqual([arnOf('ScheduleFailuresQueue')]);
    expect(template.Resources.ScheduleFailuresAlarm.Properties).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': ['ScheduleFailuresQueue', 'QueueName'] } }],
    });
  });

  it("alarms on predict (errors, throttles, p99), the retrain worker, the schedules and the API's 5xx, all to one topic", () => {
    const alarms = Object.fromEntries(resourcesOfType('AWS::CloudWatch::Alarm').map(([id, r]) => [id, r.Properties]));
    const onFunction = (id: string) => alarms[id].Dimensions[0].Value.Ref;
    expect(Object.keys(alarms).sort()).toEqual(
      [
        'Api5xx',
        'CanarySchedulerErrors',
        'DriftSchedulerErrors',
        'HousekeepingSchedulerErrors',
        'PredictDurationP99',
        'PredictErrors',
        'PredictThrottles',
        'RetrainWorkerErrors',
        'RetrainWorkerFailedErrors',
        'RetrainWorkerThrottles',
        'ScheduleFailures',
      ].map((n) => `${n}Alarm`),
    );
    expect(alarms.PredictErrorsAlarm).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Statistic: 'Sum',
      Threshold: 1,
    });
    expect(onFunction('PredictErrorsAlarm')).toBe('PredictLambdaFunction');
    expect(alarms.PredictDurationP99Alarm).toMatchObject({
      MetricName: 'Duration',
      ExtendedStatistic: 'p99',
      Threshold: 1000,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    for (const fn of ['RetrainWorker', 'CanaryScheduler', 'DriftScheduler', 'HousekeepingScheduler']) {
      expect(alarms[`${fn}ErrorsAlarm`].MetricName).toBe('Errors');
      expect(onFunction(`${fn}ErrorsAlarm`)).toBe(`${fn}LambdaFunction`);
    }
    expect(alarms.Api5xxAlarm).toMatchObject({
      Namespace: 'AWS/ApiGateway',
      MetricName: '5xx',
      Dimensions: [{ Name: 'ApiId', Value: { Ref: 'HttpApi' } }],
    });
    expect(template.Resources.HttpApi.Type).toBe('AWS::ApiGatewayV2::Api');
    for (const [id, alarm] of Object.entries(alarms)) {
      expect(alarm.AlarmActions, id).toEqual([{ Ref: 'AlarmTopic' }]);
      expect(alarm.TreatMissingData, id).toBe('notBreaching');
      // Every dimension names a resource of this stack.
      for (const d of alarm.Dimensions)
        expect(template.Resources[d.Value.Ref ?? d.Value['Fn::GetAtt'][0]], `${id} ${d.Name}`).toBeDefined();
    }
    expect(template.Resources.AlarmTopic.Type).toBe('AWS::SNS::Topic');
    expect(template.Outputs.AlarmTopicArn.Value).toEqual({ Ref: 'AlarmTopic' });
    // No destination given: no log subscription (the packaging below gives one).
    expect(resourcesOfType('AWS::Logs::SubscriptionFilter')).toEqual([]);
  });

  it('deploys again after `serverless remove`: the retained bucket can be adopted and the secret is named by CloudFormation', () => {
    const bucket = template.Resources.ModelBucket;
    expect(bucket.DeletionPolicy).toBe('Retain');
    expect(bucket.Condition).toBe('CreateModelBucket');
    expect(template.Conditions!.CreateModelBucket).toEqual({ 'Fn::Equals': ['false', 'false'] });
    // Nothing refers to the bucket resource (it may not exist): everything names the bucket.
    const { ModelBucket: _bucket, ...others } = template.Resources;
    expect(JSON.stringify(others)).not.toMatch(
      /"Ref":"ModelBucket"|"Fn::GetAtt":\["ModelBucket"|DependsOn":\[?"ModelBucket/,
    );
    expect(JSON.stringify(template.Outputs)).not.toContain('"ModelBucket"');
    expect(template.Resources.ServiceSecret.Properties.Name).toBeUndefined();
  });
});

describe('npm run package with an adopted bucket and a log destination', () => {
  const destination = 'arn:aws:firehose:eu-west-1:123456789012:deliverystream/credit-score-logs';
  const role = 'arn:aws:iam::123456789012:role/cwl-to-firehose';
  let adopted: Template;

  beforeAll(async () => {
    const dir = tempDir('package-adopt');
    const env = {
      ...process.env,
      ...SERVERLESS_ENV,
      OFFLINE_PACKAGE: 'true',
      AWS_ACCESS_KEY_ID: 'offline-package',
      AWS_SECRET_ACCESS_KEY: 'offline-package',
    };
    const args = [
      'package',
      '--stage',
      'prod',
      '--package',
      dir,
      '--param=adoptBucket=true',
      `--param=logDestinationArn=${destination}`,
      `--param=logDestinationRoleArn=${role}`,
    ];
    await new Promise((done, fail) =>
      execFile(SERVERLESS_BIN, args, { env, timeout: 480_000, maxBuffer: 1 << 24 }, (err, stdout, stderr) =>
        err ? fail(new Error(`${err.message}\n${stdout}\n${stderr}`)) : done(stdout),
      ),
    );
    adopted = JSON.parse(readFileSync(join(dir, 'cloudformation-template-update-stack.json'), 'utf8'));
  }, 500_000);

  it('does not create the bucket, and still puts the TLS policy on it', () => {
    expect(adopted.Conditions!.CreateModelBucket).toEqual({ 'Fn::Equals': ['true', 'false'] });
    expect(adopted.Resources.ModelBucket.Condition).toBe('CreateModelBucket');
    expect(adopted.Resources.ModelBucketPolicy.Condition).toBeUndefined();
    expect(adopted.Resources.ModelBucketPolicy.Properties.Bucket).toBe('mlops-credit-score-prod-models');
  });

  it("subscribes every function's log group to the destination, ECS lines only, in the shape CloudFormation takes", () => {
    const groups = Object.entries(adopted.Resources)
      .filter(([, r]) => r.Type === 'AWS::Logs::LogGroup')
      .map(([id]) => id);
    expect(groups).toHaveLength(lambdaFunctionFiles().length);
    const filters = Object.values(adopted.Resources).filter((r) => r.Type === 'AWS::Logs::SubscriptionFilter');
    expect(filters.map((f) => f.Properties.LogGroupName.Ref).sort()).toEqual(groups.sort());
    for (const filter of filters) {
      expect(filter.Properties).toMatchObject({
        DestinationArn: destination,
        RoleArn: role,
        FilterPattern: '"ecs.version"',
      });
      expect(resourceProblems(filter)).toEqual([]);
    }
    // The quoted term matches the service's own lines (one from its logger).
    const file = join(tempDir('ecs-line'), 'service.log');
    createLogger({ service: 'mlops-credit-score', environment: 'prod', level: 'info', file }).info(
      { 'event.action': 'model-loaded' },
      'loaded',
    );
    const line = readFileSync(file, 'utf8').trim();
    expect(line).toContain('"ecs.version"');
  });
});

describe('the Lambda build: a handler bundle on the layer bundle', () => {
  let s3: EmbeddedS3;
  beforeAll(async () => {
    const started = await startServingS3();
    s3 = started.s3;
    Object.assign(process.env, started.env);
  });
  afterAll(() => s3.close());

  it('answers a prediction (the /opt import pointed at the built layer)', async () => {
    // Lambda mounts the layer at /opt; here the same bytes are imported from dist/layer.
    const dir = tempDir('lambda');
    const layer = pathToFileURL(resolve('dist/layer/nodejs/node_modules/credit-score-model/index.mjs')).href;
    const source = readFileSync('dist/functions/predict.mjs', 'utf8');
    expect(source).toContain('/opt/nodejs/node_modules/credit-score-model/index.mjs');
    writeFileSync(
      join(dir, 'predict.mjs'),
      source.replace('/opt/nodejs/node_modules/credit-score-model/index.mjs', layer),
    );
    copyFileSync('dist/functions/predict.mjs', join(dir, 'original.mjs'));
    const { handler } = await import(pathToFileURL(join(dir, 'predict.mjs')).href);
    const record = Object.fromEntries(
      readFileSync('data/credit_score_customers_raw.csv', 'utf8')
        .split('\n')[0]
        .split(',')
        .map((h) => [h, null]),
    );
    const event = {
      version: '2.0',
      routeKey: 'POST /predict',
      rawPath: '/predict',
      rawQueryString: '',
      headers: { 'content-type': 'application/json' },
      requestContext: { http: { method: 'POST', path: '/predict' }, requestId: 'r1' },
      body: JSON.stringify(record),
      isBase64Encoded: false,
    };
    const result = await handler(event, { awsRequestId: 'lambda-1', getRemainingTimeInMillis: () => 10_000 });
    expect(result.statusCode).toBe(200);
    // The service's own request id (when and on which container: how feedback finds the answer), not Lambda's invocation id.
    expect(JSON.parse(result.body)).toMatchObject({
      model: { name: 'credit-score', alias: 'champion' },
      requestId: expect.stringMatching(/^\d{8}T\d{9}Z-[0-9a-f]{12}-[0-9a-f]{6}$/),
    });
  });
});
