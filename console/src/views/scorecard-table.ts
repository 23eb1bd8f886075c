/**
 * A scorecard's points table as a credit committee reads it (the model card's `scorecard`,
 * lib/scorecard/scorecard-report.ts): the scaling and score range, then one block per
 * characteristic (its IV; each bin with its training count, event rate, WoE and points, the best
 * bin marked), then the characteristics dropped and why. Shown on the model card and the
 * version page; each block stays whole on a printed page.
 */
import type { ScorecardReport, ScorecardReportBin } from '../../../lib/scorecard/scorecard-report.ts';
import { html } from '../html.ts';
import { number, percent } from '../ui.ts';

/** Points to two decimals: the card keeps them unrounded so a score inverts to the probability exactly. */
export const points = (v: number): string => v.toFixed(2);

/** A range's bounds to two decimals (quantile splits can be 1056.0333333333333); the exact label is the cell's title. */
const bound = (v: number): string => String(Number(v.toFixed(2)));

/** A bin as read: a range with short bounds, else its label. */
export function binText(b: ScorecardReportBin): string {
  if (b.holds.kind !== 'range') return b.bin;
  const { lower, upper } = b.holds;
  return `(${lower === null ? '-inf' : bound(lower)}, ${upper === null ? '+inf)' : `${bound(upper)}]`}`;
}

/** What falls in a bin, beyond its label: an ordered column's levels, or why the bin exists. */
function binNote(b: ScorecardReportBin): string | null {
  if (b.holds.kind === 'range' && b.holds.levels) return b.holds.levels.join(', ') || 'no level';
  if (b.holds.kind === 'unseen') return 'a category not seen in training (WoE 0)';
  if (b.holds.kind === 'missing' && b.count === 0) return 'no training row was missing (WoE 0)';
  return null;
}

export function ScorecardTable({ report }: { report: ScorecardReport }) {
  const { scaling, scoreRange } = report;
  return html`<div class="scorecard">
    <p class="scaling">
      ${`Points for the odds of ${report.goodClass} against ${report.eventClass}: ${scaling.baseScore} points at ${scaling.baseOdds}:1, ${scaling.pdo} more points double the odds. A score is the sum of one bin's points per characteristic, from ${points(scoreRange.min)} to ${points(scoreRange.max)}.`}
    </p>
    ${report.characteristics.map(
      (c) => html`<table class="scorecard-table" data-feature=${c.feature}>
        <caption><strong>${c.feature}</strong> ${`(${c.kind}) IV ${number(c.iv)}`}</caption>
        <thead><tr><th scope="col">bin</th><th scope="col" class="num">rows</th><th scope="col" class="num">event rate</th><th scope="col" class="num">WoE</th><th scope="col" class="num">points</th><th scope="col" aria-label="best bin"></th></tr></thead>
        <tbody>
          ${c.bins.map((b) => {
            const note = binNote(b);
            return html`<tr class=${b.best ? 'best' : ''}>
              <td class="bin" title=${b.bin}>${binText(b)}${note ? html` <span class="hint">${note}</span>` : null}</td>
              <td class="num">${b.count.toLocaleString('en-US')}</td>
              <td class="num">${percent(b.eventRate)}</td>
              <td class="num">${number(b.woe)}</td>
              <td class="num">${points(b.points)}</td>
              <td class="mark">${b.best ? '★ best' : ''}</td>
            </tr>`;
          })}
        </tbody>
      </table>`,
    )}
    ${
      report.dropped.length
        ? html`<table class="scorecard-dropped">
          <caption>Dropped characteristics</caption>
          <thead><tr><th scope="col">characteristic</th><th scope="col" class="num">IV</th><th scope="col">why</th></tr></thead>
          <tbody>${report.dropped.map((d) => html`<tr><td>${d.feature}</td><td class="num">${number(d.iv)}</td><td>${d.reason}</td></tr>`)}</tbody>
        </table>`
        : html`<p class="scorecard-dropped">No characteristic was dropped.</p>`
    }
  </div>`;
}
