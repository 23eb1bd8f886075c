/** The environment every local Serverless Framework run needs: no telemetry or notices (nothing leaves the machine), no instance metadata lookups (each waits for a timeout off EC2). */
export const SERVERLESS_ENV = {
  SLS_TELEMETRY_DISABLED: '1',
  SLS_NOTIFICATIONS_MODE: 'off',
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

export const SERVERLESS_BIN = 'node_modules/.bin/serverless';
