/** The environment every local Serverless Framework run needs (TOOLCHAIN.md): no telemetry, no instance metadata. */
export const SERVERLESS_ENV = {
  SLS_TELEMETRY_DISABLED: '1',
  SLS_NOTIFICATIONS_MODE: 'off',
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

export const SERVERLESS_BIN = 'node_modules/.bin/serverless';
