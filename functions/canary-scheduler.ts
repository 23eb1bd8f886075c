/**
 * Every minute, for every registered model: the monitoring summaries of the last minutes rolled
 * up (so the canary, the report and the drift check read a few rollups, not every batch), then
 * the canary controller, which advances, promotes or rolls back a canary, at most once per step.
 * A failed rollup is logged and counted, and the controller still runs: the reader falls back to
 * the batch summaries. One model's failure does not stop the others'.
 */
import { flushingEmf, getBasics, getService, rollUpReporting, runCanaryCheck } from './runtime/layer.ts';

export const handler = flushingEmf(
  async (): Promise<{
    models: { model: string; mode: string; decision?: string; applied: boolean; error?: string }[];
  }> => {
    const { logger, metrics } = getBasics();
    const { registry, monitoring, models } = await getService();
    const results = [];
    for (const model of await models.names()) {
      await rollUpReporting({ monitoring, logger, metrics }, model);
      try {
        const result = await runCanaryCheck(registry, monitoring, model);
        if (result.decision) {
          const level = result.decision.action === 'rollback' && result.applied ? 'warn' : 'info';
          logger[level](
            {
              'log.logger': 'canary',
              'event.action': `canary-${result.decision.action}`,
              'model.name': model,
              applied: result.applied,
              revision: result.revision,
              reasons: result.decision.reasons,
              numbers: result.decision.numbers,
            },
            `canary of ${model} ${result.decision.action}${result.applied ? '' : result.note ? ` (not applied: ${result.note})` : ''}: ${result.decision.reasons.join('; ')}`,
          );
        }
        results.push({ model, mode: result.mode, decision: result.decision?.action, applied: result.applied });
      } catch (err) {
        metrics.backgroundFailures.inc({ task: 'canary-check' });
        logger.error(
          {
            'log.logger': 'canary',
            'event.action': 'canary-check-failed',
            'model.name': model,
            'error.message': (err as Error).message,
          },
          `canary check of ${model} failed: ${(err as Error).message}`,
        );
        results.push({ model, mode: 'unknown', applied: false, error: (err as Error).message });
      }
    }
    return { models: results };
  },
);
