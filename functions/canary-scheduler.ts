/** The canary controller on a schedule (every minute): advances, promotes or rolls back a canary, at most once per step. */
import { getBasics, getService, runCanaryCheck } from './runtime/layer.ts';

export async function handler(): Promise<{ mode: string; decision?: string; applied: boolean }> {
  const { config, logger } = getBasics();
  const { registry, store } = await getService();
  const result = await runCanaryCheck(registry, store, config.MODEL_NAME);
  if (result.decision) {
    const level = result.decision.action === 'rollback' && result.applied ? 'warn' : 'info';
    logger[level](
      { 'log.logger': 'canary', 'event.action': `canary-${result.decision.action}`, applied: result.applied, revision: result.revision, reasons: result.decision.reasons, numbers: result.decision.numbers },
      `canary ${result.decision.action}${result.applied ? '' : result.note ? ` (not applied: ${result.note})` : ''}: ${result.decision.reasons.join('; ')}`,
    );
  }
  return { mode: result.mode, decision: result.decision?.action, applied: result.applied };
}
