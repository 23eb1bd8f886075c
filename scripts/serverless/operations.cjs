'use strict';
/**
 * The Lambda stage's alarms and log shipping, derived from the functions serverless.yml
 * declares, so a function added later is covered by the same rules:
 *
 * - predict: errors, throttles (its reserved concurrency is also its ceiling) and p99 duration;
 * - every function not behind the HTTP API (the retrain worker, its failure handler, the
 *   schedules): errors, i.e. a failed retrain run or scheduled run;
 * - every function with reserved concurrency: throttles;
 * - the schedule failures queue: a failed scheduled event arrived (after its retries);
 * - the HTTP API: 5xx answers.
 *
 * Every alarm notifies AlarmTopic (serverless.yml) when it fires and when it clears. Metric
 * names and dimensions are CloudWatch's (Lambda: AWS/Lambda Errors, Throttles, Duration by
 * FunctionName; HTTP APIs: AWS/ApiGateway 5xx by ApiId; SQS: AWS/SQS
 * ApproximateNumberOfMessagesVisible by QueueName). A period with no data is not a breach: a
 * function nobody called has no errors.
 *
 * Log shipping: with custom.operations.logDestinationArn set, every function's log group gets a
 * subscription filter sending the service's ECS JSON lines (those with "ecs.version"; Lambda's
 * own START/END/REPORT lines are left out) to that destination. The params are resolved when
 * the stack is packaged, so an unset destination adds nothing to the template.
 */
const FIVE_MINUTES = 300;

function alarm(context, name, description, metric) {
  return {
    Type: 'AWS::CloudWatch::Alarm',
    Properties: {
      AlarmName: `${context.prefix}-${name}`,
      AlarmDescription: description,
      AlarmActions: [{ Ref: 'AlarmTopic' }],
      OKActions: [{ Ref: 'AlarmTopic' }],
      TreatMissingData: 'notBreaching',
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 1,
      Period: FIVE_MINUTES,
      EvaluationPeriods: 1,
      ...metric,
    },
  };
}

const lambdaDimensions = (context, fn) => [{ Name: 'FunctionName', Value: { Ref: context.logicalId(fn) } }];
const lambdaMetric = (context, fn, name) => ({
  Namespace: 'AWS/Lambda',
  MetricName: name,
  Dimensions: lambdaDimensions(context, fn),
  Statistic: 'Sum',
});
const pascal = (name) => name[0].toUpperCase() + name.slice(1);

/** The alarms, by logical id. `functions`: serverless.yml's functions (name -> definition). */
function alarms(context, functions, settings) {
  const out = {};
  const names = Object.keys(functions);
  out.PredictErrorsAlarm = alarm(
    context,
    'predict-errors',
    'predict failed (threw, timed out or ran out of memory) at least once in 5 minutes',
    lambdaMetric(context, 'predict', 'Errors'),
  );
  out.PredictDurationP99Alarm = alarm(
    context,
    'predict-p99',
    `predict's p99 duration above ${settings.predictP99Ms} ms in 3 of 5 minutes`,
    {
      Namespace: 'AWS/Lambda',
      MetricName: 'Duration',
      Dimensions: lambdaDimensions(context, 'predict'),
      ExtendedStatistic: 'p99',
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: Number(settings.predictP99Ms),
      Period: 60,
      EvaluationPeriods: 5,
      DatapointsToAlarm: 3,
    },
  );
  for (const fn of names.filter((n) => functions[n].reservedConcurrency !== undefined)) {
    out[`${pascal(fn)}ThrottlesAlarm`] = alarm(
      context,
      `${fn}-throttles`,
      `${fn} refused invocations at its concurrency limit (${functions[fn].reservedConcurrency})`,
      lambdaMetric(context, fn, 'Throttles'),
    );
  }
  const offApi = names.filter((n) => !(functions[n].events ?? []).some((e) => e.httpApi !== undefined));
  for (const fn of offApi) {
    const scheduled = (functions[fn].events ?? []).some((e) => e.schedule !== undefined);
    const what = scheduled ? `a scheduled run of ${fn} failed` : `${fn} failed (threw, timed out or ran out of memory)`;
    out[`${pascal(fn)}ErrorsAlarm`] = alarm(context, `${fn}-errors`, what, lambdaMetric(context, fn, 'Errors'));
  }
  out.ScheduleFailuresAlarm = alarm(
    context,
    'schedule-failures',
    'a scheduled event failed after its retries: it waits in the schedule failures queue',
    {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': ['ScheduleFailuresQueue', 'QueueName'] } }],
      Statistic: 'Maximum',
    },
  );
  out.Api5xxAlarm = alarm(context, 'api-5xx', 'the HTTP API answered 5xx at least once in 5 minutes', {
    Namespace: 'AWS/ApiGateway',
    MetricName: '5xx',
    Dimensions: [{ Name: 'ApiId', Value: { Ref: context.httpApiLogicalId } }],
    Statistic: 'Sum',
  });
  return out;
}

/** A subscription filter per log group of the template, when a destination is set. */
function logSubscriptions(resources, settings) {
  if (!settings.logDestinationArn) return {};
  const out = {};
  for (const [id, resource] of Object.entries(resources)) {
    if (resource.Type !== 'AWS::Logs::LogGroup') continue;
    out[`${id}Subscription`] = {
      Type: 'AWS::Logs::SubscriptionFilter',
      Properties: {
        LogGroupName: { Ref: id },
        DestinationArn: settings.logDestinationArn,
        // A term with a dot is quoted (CloudWatch Logs filter pattern syntax).
        FilterPattern: '"ecs.version"',
        ...(settings.logDestinationRoleArn ? { RoleArn: settings.logDestinationRoleArn } : {}),
      },
    };
  }
  return out;
}

class LambdaOperations {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = { 'after:package:compileEvents': () => this.compile() };
  }

  compile() {
    const service = this.serverless.service;
    const naming = this.serverless.getProvider('aws').naming;
    const resources = service.provider.compiledCloudFormationTemplate.Resources;
    const settings = service.custom?.operations ?? {};
    const context = {
      prefix: `${service.service}-${service.provider.stage}`,
      logicalId: (fn) => naming.getLambdaLogicalId(fn),
      httpApiLogicalId: naming.getHttpApiLogicalId(),
    };
    Object.assign(resources, alarms(context, service.functions, settings), logSubscriptions(resources, settings));
  }
}

module.exports = LambdaOperations;
