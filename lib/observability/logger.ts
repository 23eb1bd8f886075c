/**
 * Structured logs: one JSON line per event in Elastic Common Schema fields (pino with Elastic's
 * ECS formatter), which Filebeat ships to Elasticsearch (docs/observability.md). Personal data
 * never goes in: callers log identifiers of requests and models, never request bodies.
 */
import { ecsFormat } from '@elastic/ecs-pino-format';
import { pino, destination, type Logger } from 'pino';

export type { Logger };

export function createLogger(options: { service: string; environment: string; level?: string; file?: string }): Logger {
  return pino(
    {
      ...ecsFormat({ serviceName: options.service, serviceEnvironment: options.environment, convertErr: true }),
      level: options.level ?? process.env.LOG_LEVEL ?? 'info',
    },
    options.file ? destination({ dest: options.file, sync: true, mkdir: true }) : process.stdout,
  );
}
