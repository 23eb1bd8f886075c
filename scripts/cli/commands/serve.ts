/** `credit-score serve`: its help (scripts/serve.ts runs it; configured by its environment, as the functions are). */
import type { CommandSpec } from '../command.ts';

export const SERVE: CommandSpec<Record<never, never>> = {
  name: 'serve',
  script: 'serve.ts',
  npmScript: 'serve',
  title: 'the functions behind a plain node:http server',
  summary:
    "The service's functions behind a plain node:http server (the Knative container's entry point, and a quick local server).",
  options: {},
  help: {},
  notes: [
    'Environment: HOST (127.0.0.1), PORT (8080), HTTP_HANDLER_TIMEOUT_SECONDS (30), and the service configuration (docs/configuration.md): MODEL_BUCKET, S3_ENDPOINT, ADMIN_API_KEYS...',
  ],
};
