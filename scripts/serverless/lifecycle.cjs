// ModelBucket's lifecycle rules (serverless.yml): retention, from the params captureRetentionDays,
// feedbackRetentionDays and summaryRetentionDays. The same rules as s3LifecycleRules in
// lib/state/retention.ts (test/packaging.test.ts checks the packaged template equals it and
// fits CloudFormation's schema). Written here rather than in YAML so that a period given on the
// command line (--param="captureRetentionDays=60", a string) still reaches CloudFormation as
// the integer its schema asks for.
const NONCURRENT_VERSION_DAYS = 1;
const ABORT_INCOMPLETE_UPLOAD_DAYS = 1;

module.exports = async ({ resolveVariable }) => {
  const days = async (param) => {
    const value = Number(await resolveVariable(`param:${param}`));
    if (!Number.isInteger(value) || value < 1)
      throw new Error(`--param ${param} must be a whole number of days, at least 1`);
    return value;
  };
  const rules = [
    ['expire-captures', 'captures/', await days('captureRetentionDays')],
    ['expire-feedback', 'feedback/', await days('feedbackRetentionDays')],
    ['expire-summaries', 'summaries/', await days('summaryRetentionDays')],
  ];
  return {
    Rules: [
      ...rules.flatMap(([id, prefix, expire]) => [
        {
          Id: id,
          Status: 'Enabled',
          Prefix: prefix,
          ExpirationInDays: expire,
          NoncurrentVersionExpiration: { NoncurrentDays: NONCURRENT_VERSION_DAYS },
        },
        { Id: `${id}-delete-markers`, Status: 'Enabled', Prefix: prefix, ExpiredObjectDeleteMarker: true },
      ]),
      {
        Id: 'abort-incomplete-multipart-uploads',
        Status: 'Enabled',
        Prefix: '',
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: ABORT_INCOMPLETE_UPLOAD_DAYS },
      },
    ],
  };
};
