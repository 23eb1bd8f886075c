/**
 * One model's monitoring rollups, for the minute schedule and housekeeping alike: a failure is
 * logged and counted (credit_score_background_failures_total{task="summary-rollup"}), never
 * thrown (the reader falls back to the batch summaries). A rollup cut short because the process
 * is stopping (its worker pool closed under it) is not a failure: the next run completes it, and
 * an error line at every Ctrl-C would teach operators to ignore error lines.
 */
import type { RollupOptions } from '../../lib/monitoring/rollup.ts';
import { WorkerPoolClosedError } from '../../lib/parallel/worker-pool.ts';
import type { Service } from './service.ts';

export async function rollUpReporting(
  service: Pick<Service, 'monitoring' | 'logger' | 'metrics'>,
  model: string,
  now?: number,
  options?: Partial<RollupOptions>,
): Promise<void> {
  const { monitoring, logger, metrics } = service;
  await monitoring.rollUp(model, now, options).catch((err: unknown) => {
    const message = (err as Error).message;
    if (err instanceof WorkerPoolClosedError) {
      logger.info(
        { 'log.logger': 'monitoring', 'event.action': 'summary-rollup-stopped', 'model.name': model },
        `monitoring rollup of ${model} stopped with the process: ${message}`,
      );
      return;
    }
    metrics.backgroundFailures.inc({ task: 'summary-rollup' });
    logger.error(
      {
        'log.logger': 'monitoring',
        'event.action': 'summary-rollup-failed',
        'model.name': model,
        'error.message': message,
      },
      `monitoring summaries of ${model} could not be rolled up: ${message}`,
    );
  });
}
