/** The scorecard as the table credit committees read: one line per feature and bin, as JSON rows or CSV. */
import type { Scorecard } from './points.ts';

export interface ScorecardTableRow {
  feature: string;
  bin: string;
  events: number;
  nonEvents: number;
  woe: number;
  points: number;
}

/** One characteristic's lines: the export's and the model card's (lib/scorecard/scorecard-report.ts) one source. */
export function characteristicRows(f: Scorecard['features'][number]): ScorecardTableRow[] {
  return f.bins.map((b) => ({
    feature: f.name,
    bin: b.label,
    events: b.events,
    nonEvents: b.nonEvents,
    woe: b.woe,
    points: b.points,
  }));
}

export function scorecardTable(card: Scorecard): ScorecardTableRow[] {
  return card.features.flatMap(characteristicRows);
}

const COLUMNS: (keyof ScorecardTableRow)[] = ['feature', 'bin', 'events', 'nonEvents', 'woe', 'points'];

/** RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled. */
function csvField(value: string | number): string {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** CSV with a header line; numbers in full precision (JavaScript's shortest round-trip form). */
export function scorecardCsv(card: Scorecard): string {
  const lines = [COLUMNS.join(',')];
  for (const row of scorecardTable(card)) lines.push(COLUMNS.map((c) => csvField(row[c])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
