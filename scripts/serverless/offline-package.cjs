'use strict';
/**
 * Lets `serverless package` run without AWS access (CI, laptops): with OFFLINE_PACKAGE=true the
 * layer step skips its CloudFormation DescribeStacks call, which only checks whether an
 * unchanged layer is already uploaded (without network it retries for ~26 s, then fails).
 * A real deploy leaves OFFLINE_PACKAGE unset and keeps the check.
 */
class OfflinePackage {
  constructor(serverless) {
    if (process.env.OFFLINE_PACKAGE !== 'true') return;
    const layers = serverless.pluginManager.plugins.find((p) => p.constructor.name === 'AwsCompileLayers');
    if (layers) layers.compareWithLastLayer = async () => {};
  }
}

module.exports = OfflinePackage;
