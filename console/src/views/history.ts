/** The history of alias moves and traffic changes as a timeline, newest first, each line saying what changed and who changed it. */
import { html } from '../html.ts';
import { actorName, aliasVersions, eventText, type HistoryEvent } from '../history-text.ts';
import { when } from '../ui.ts';

export function Timeline({ events }: { events: HistoryEvent[] }) {
  // The API answers oldest first: where an alias pointed at each event is read in that order.
  const versionAt = aliasVersions(events);
  const lines = events.map((event, index) => {
    const label = (alias: string): string => {
      const version = versionAt(alias, index);
      return version ? `${alias} (${version})` : alias;
    };
    return html`<li key=${event.eventId} data-kind=${event.kind}>
      <time datetime=${event.at}>${when(event.at)}</time> <span class="who" title=${event.actor ?? ''}>${actorName(event)}</span> <span class="what">${eventText(event, label)}</span>${event.reason ? html` <span class="why">(${event.reason})</span>` : null}
    </li>`;
  });
  return html`<ol class="timeline">${lines.reverse()}</ol>`;
}
