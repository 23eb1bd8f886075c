// The functions' environment, per stage (serverless.yml: provider.environment). Settings come
// from the deployer's environment or their defaults. Secrets never travel here on a cloud stage:
// admin keys (and any S3 keys) are read at run time from Secrets Manager (SECRETS_ID). The
// local stage (`npm start`) has no Secrets Manager: only there do ADMIN_API_KEYS, the embedded
// S3 server's endpoint and keys, and the local Lambda endpoint pass through, and only when set.
const SETTINGS = {
  // The model served and retrained: npm start passes its START_SPEC's name (scripts/start.ts).
  MODEL_NAME: 'credit-score',
  MODEL_ALIAS: 'champion',
  ALIAS_REFRESH_SECONDS: '30',
  MAX_BODY_BYTES: '1048576',
  MAX_INSTANCES: '1000',
  VERSIONED_INFER_PUBLIC: 'false',
  S3_CONNECT_TIMEOUT_SECONDS: '2',
  S3_REQUEST_TIMEOUT_SECONDS: '5',
  RETRAIN_LOCK_SECONDS: '600',
  RETRAIN_HEARTBEAT_SECONDS: '15',
  INCOMPLETE_VERSION_MAX_AGE_HOURS: '24',
  LOG_LEVEL: 'info',
  DEFAULT_TRAINING_DATA: 'data/credit_score_customers_raw.csv',
  CAPTURE_FLUSH_RECORDS: '500',
  CAPTURE_FLUSH_SECONDS: '10',
  SHUTDOWN_FLUSH_SECONDS: '8',
  CAPTURE_MAX_BUFFERED: '20000',
  CAPTURE_FEATURES_RATE: '0.2',
  DRIFT_POLICY: 'notify',
  DRIFT_WINDOW_HOURS: '24',
  DRIFT_RETRAIN_COOLDOWN_HOURS: '24',
  DRIFT_RETRAIN_CANARY: 'false',
  // How long a four-eyes change request waits for its approvals (docs/four-eyes.md).
  APPROVAL_EXPIRY_HOURS: '24',
};
const LOCAL_ONLY = ['S3_ENDPOINT', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY', 'ADMIN_API_KEYS', 'LAMBDA_ENDPOINT'];
// OIDC bearer tokens (docs/identities.md): no secret in them (the JWKS is public), so any stage
// takes them from the deployer's environment; unset, only admin API keys are accepted.
const WHEN_SET = [
  'OIDC_ISSUER',
  'OIDC_AUDIENCE',
  'OIDC_JWKS_URL',
  'OIDC_JWKS_TIMEOUT_SECONDS',
  'OIDC_CLOCK_TOLERANCE_SECONDS',
  'OIDC_PRINCIPAL_CLAIM',
  'OIDC_ROLES_CLAIM',
  'OIDC_GROUP_ROLES',
];

module.exports = async ({ resolveVariable }) => {
  const stage = await resolveVariable('sls:stage');
  const service = await resolveVariable('self:service');
  const environment = {
    MODEL_BUCKET: process.env.MODEL_BUCKET || (await resolveVariable('param:bucket')),
    // The stack's own secret, by its ARN (CloudFormation names it: serverless.yml, ServiceSecret);
    // the local stage has no Secrets Manager.
    SECRETS_ID: stage === 'local' ? '' : { Ref: 'ServiceSecret' },
    SECRETS_REFRESH_SECONDS: '300',
    RETRAIN_RUNNER: await resolveVariable('param:retrainRunner'),
    RETRAIN_FUNCTION_NAME: `${service}-${stage}-retrainWorker`,
    // /metrics answers admins only on a cloud stage (Prometheus sends the key as a bearer token).
    METRICS_PUBLIC: stage === 'local' ? 'true' : process.env.METRICS_PUBLIC || 'false',
    SERVICE_NAME: service,
    STAGE: stage,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    // Retention: the bucket's lifecycle rules (serverless.yml) enforce these periods on AWS; the
    // local stage's embedded S3 server has no lifecycle engine, so there housekeeping deletes.
    CAPTURE_RETENTION_DAYS: String(await resolveVariable('param:captureRetentionDays')),
    FEEDBACK_RETENTION_DAYS: String(await resolveVariable('param:feedbackRetentionDays')),
    SUMMARY_RETENTION_DAYS: String(await resolveVariable('param:summaryRetentionDays')),
    RETENTION_ENFORCED_BY: stage === 'local' ? 'housekeeping' : 'store',
  };
  for (const [name, fallback] of Object.entries(SETTINGS)) environment[name] = process.env[name] || fallback;
  if (stage === 'local') for (const name of LOCAL_ONLY) if (process.env[name]) environment[name] = process.env[name];
  for (const name of WHEN_SET) if (process.env[name]) environment[name] = process.env[name];
  return environment;
};
