/** The canary controller on a schedule (every minute): advances, promotes or rolls back a canary. */
import { getBasics, getService, runCanaryCheck } from './runtime/layer.ts';

export async function handler(): Promise<{ mode: string; decision?: string }> {
  const { config, logger } = getBasics();
  const { registry, store } = await getService();
  const result = await runCanaryCheck(registry, store, config.MODEL_NAME);
  if (result.decision) {
    const level = result.decision.action === 'rollback' ? 'warn' : 'info';
    logger[level]({ 'log.logger': 'canary', 'event.action': `canary-${result.decision.action}`, reasons: result.decision.reasons, numbers: result.decision.numbers }, `canary ${result.decision.action}: ${result.decision.reasons.join('; ')}`);
  }
  return { mode: result.mode, decision: result.decision?.action };
}
