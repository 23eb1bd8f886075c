/**
 * The API suite against serverless-offline running serverless.yml (stage "local": the
 * self-contained bundles of `npm run build`, every function in one process), with retrain jobs
 * in a child process, as under `npm start`.
 */
import { defineApiSuite } from './api-suite.ts';
import { startServerlessOffline } from './serverless-offline-host.ts';

defineApiSuite({ name: 'serverless-offline', start: startServerlessOffline });
