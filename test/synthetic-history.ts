/**
 * A made-up registry history for tests and the history benchmark: alias moves (each alias's one
 * chain) and traffic changes (revisions 1, 2, ...), one every `spacingMs`, ending at `end`, the
 * scopes taken in turn from `pattern` ("traffic" or an alias name). Written without training or
 * verifying anything: what the history reader sees, not how it was made.
 */
import type { AliasEvent, RegistryEvent, TrafficEvent } from '../lib/state/schemas.ts';
import { timeOrderedId } from '../lib/util/ids.ts';

export interface SyntheticHistory {
  /** Oldest first. */
  events: RegistryEvent[];
  /** The latest event of each alias, and of the traffic policy: what their documents carry. */
  latest: Map<string, RegistryEvent>;
}

export function syntheticHistory(
  name: string,
  count: number,
  pattern: string[],
  end: number,
  spacingMs: number,
): SyntheticHistory {
  const events: RegistryEvent[] = [];
  const latest = new Map<string, RegistryEvent>();
  for (let i = 0; i < count; i++) {
    const scope = pattern[i % pattern.length];
    const at = new Date(end - (count - 1 - i) * spacingMs);
    const previous = latest.get(scope);
    const event: RegistryEvent =
      scope === 'traffic'
        ? ({
            kind: 'traffic',
            eventId: timeOrderedId(at),
            at: at.toISOString(),
            name,
            revision: previous?.kind === 'traffic' ? previous.revision + 1 : 1,
            from: previous?.kind === 'traffic' ? previous.to : null,
            to: { mode: 'single', alias: i % 2 ? 'champion' : 'challenger' },
            reason: `change ${i}`,
            actor: 'synthetic',
          } satisfies TrafficEvent)
        : ({
            kind: 'alias',
            eventId: timeOrderedId(at),
            at: at.toISOString(),
            name,
            alias: scope,
            from: previous?.kind === 'alias' ? previous.to : null,
            to: `v${i}`,
            previousEventId: previous?.eventId ?? null,
            reason: `move ${i}`,
            actor: 'synthetic',
          } satisfies AliasEvent);
    events.push(event);
    latest.set(scope, event);
  }
  return { events, latest };
}
