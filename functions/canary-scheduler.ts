/**
 * Every minute: the monitoring summaries of the last minutes rolled up (so the canary, the report
 * and the drift check read a few rollups, not every batch), then the canary controller, which
 * advances, promotes or rolls back a canary, at most once per step. A failed rollup is logged and
 * counted, and the controller still runs: the reader falls back to the batch summaries.
 */
import { getBasics, getService, runCanaryCheck } from './runtime/layer.ts';

export async function handler(): Promise<{ mode: string; decision?: string; applied: boolean }> {
  const { config, logger, metrics } = getBasics();
  const { registry, monitoring } = await getService();
  await monitoring.rollUp(config.MODEL_NAME).catch((err: unknown) => {
    metrics.backgroundFailures.inc({ task: 'summary-rollup' });
    logger.error({ 'log.logger': 'monitoring', 'event.action': 'summary-rollup-failed', 'error.message': (err as Error).message }, `monitoring summaries could not be rolled up: ${(err as Error).message}`);
  });
  const result = await runCanaryCheck(registry, monitoring, config.MODEL_NAME);
  if (result.decision) {
    const level = result.decision.action === 'rollback' && result.applied ? 'warn' : 'info';
    logger[level](
      { 'log.logger': 'canary', 'event.action': `canary-${result.decision.action}`, applied: result.applied, revision: result.revision, reasons: result.decision.reasons, numbers: result.decision.numbers },
      `canary ${result.decision.action}${result.applied ? '' : result.note ? ` (not applied: ${result.note})` : ''}: ${result.decision.reasons.join('; ')}`,
    );
  }
  return { mode: result.mode, decision: result.decision?.action, applied: result.applied };
}
