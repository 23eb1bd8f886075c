/**
 * A version's model card (GET /model/versions/{v}/card), laid out to be read and printed for a
 * model-risk review: intended use, data, features, metrics with their fold spread, how it
 * ranks, a scorecard's points table, the decision policy, calibration, fairness per sensitive
 * column, limitations and who trained and promoted it. "Print" prints the card alone (the console's header is left out).
 */
import type { FairnessReport as Fairness } from '../../../lib/evaluation/fairness.ts';
import type { RankingSummary as Ranking } from '../../../lib/evaluation/ranking-metrics.ts';
import type { ScorecardReport } from '../../../lib/scorecard/scorecard-report.ts';
import { api } from '../api.ts';
import { link } from '../hash-route.ts';
import { html } from '../html.ts';
import { usePoll } from '../poll.ts';
import { ErrorNote, Loading, NeedsKey, number, percent, Section, when } from '../ui.ts';
import { useAdmin } from './actions.ts';
import { ScorecardTable } from './scorecard-table.ts';

interface Cv {
  f1_macro: number;
  f1_macro_std?: number;
  accuracy: number;
  precision_macro: number;
  recall_macro: number;
}

export interface Card {
  model: string;
  version: string;
  intendedUse: string;
  dataDescription: string | null;
  data: { source: string; sha256: string; rows: number; classCounts: Record<string, number> } | null;
  target: { column: string; classes: string[] };
  features: { column: string; kind: string }[];
  identifiersExcluded: string[];
  metrics: {
    cv: Cv | null;
    ranking: Ranking | null;
    calibration: { brier: number; log_loss: number; ece: number } | null;
  };
  decisionPolicy: { kind: 'argmax' } | { kind: 'class weights'; weights: Record<string, number> };
  calibration: { method?: string } | null;
  fairness: Fairness[] | null;
  training: unknown;
  /** A scorecard version's points table; absent for a tree model. */
  scorecard?: ScorecardReport;
  limitations: string[];
  lineage: {
    trainedAt: string | null;
    registeredBy: string | null;
    source: string | null;
    promotions: { alias: string; at: string; by: string; reason: string; from: string | null }[];
    currentAliases: string[];
  };
}

const spread = (mean: number | null | undefined, std: number | null | undefined): string =>
  std === null || std === undefined ? number(mean) : `${number(mean)} ± ${number(std)}`;

export function CardView({ version }: { version: string }) {
  const admin = useAdmin();
  const { data, error } = usePoll(
    () => api<Card>(`model/versions/${encodeURIComponent(version)}/card`),
    null,
    [version],
    admin,
  );
  return html`<${Section} title=${`Model card: ${version}`}>
    <p class="no-print"><a href=${link(`models/${encodeURIComponent(version)}`)}>The version</a> · <button type="button" onClick=${() => window.print()}>Print</button></p>
    ${!admin ? html`<${NeedsKey} what="the model card (it names who trained and promoted the version)" />` : null}
    <${ErrorNote} error=${error} />
    ${admin && !data && !error ? html`<${Loading} what="the card" />` : null}
    ${data ? html`<${CardBody} card=${data} />` : null}
  <//>`;
}

function CardBody({ card }: { card: Card }) {
  const { metrics, lineage } = card;
  const classes = card.target.classes;
  return html`<article class="card">
    <dl class="facts">
      <dt>model</dt><dd>${card.model}</dd>
      <dt>version</dt><dd>${card.version}</dd>
      <dt>registered</dt><dd>${when(lineage.trainedAt)} by ${lineage.registeredBy ?? '-'}${lineage.source ? `, from ${lineage.source}` : ''}</dd>
      <dt>aliases now</dt><dd>${lineage.currentAliases.join(', ') || 'none'}</dd>
    </dl>
    <h3>Intended use</h3>
    <p>${card.intendedUse}</p>
    <h3>Data</h3>
    ${
      card.data
        ? html`<p>${card.data.rows.toLocaleString()} rows of ${card.data.source} (sha256 <code>${card.data.sha256.slice(0, 16)}...</code>): ${Object.entries(
            card.data.classCounts,
          )
            .map(([c, n]) => `${c} ${n.toLocaleString()}`)
            .join(', ')}.</p>`
        : html`<p>no data fingerprint recorded</p>`
    }
    ${card.dataDescription ? html`<p class="hint">${card.dataDescription}</p>` : null}
    <p>Target <code>${card.target.column}</code>, classes ${classes.join(' / ')}. ${card.features.length} features: ${card.features.map((f) => `${f.column} (${f.kind})`).join(', ')}.${card.identifiersExcluded.length ? ` Identifiers left out: ${card.identifiersExcluded.join(', ')}.` : ''}</p>
    <h3>Metrics (cross-validated, mean ± one standard deviation over the folds)</h3>
    <table class="card-metrics">
      <tbody>
        <tr><th scope="row">macro F1</th><td class="num">${spread(metrics.cv?.f1_macro, metrics.cv?.f1_macro_std)}</td></tr>
        <tr><th scope="row">accuracy</th><td class="num">${number(metrics.cv?.accuracy)}</td></tr>
        <tr><th scope="row">ROC AUC${classes.length > 2 ? ' (one-vs-rest, macro)' : ''}</th><td class="num">${spread(metrics.ranking?.roc_auc, metrics.ranking?.roc_auc_std)}</td></tr>
        <tr><th scope="row">Gini</th><td class="num">${number(metrics.ranking?.gini)}</td></tr>
        <tr><th scope="row">KS</th><td class="num">${spread(metrics.ranking?.ks, metrics.ranking?.ks_std)}</td></tr>
        <tr><th scope="row">average precision</th><td class="num">${number(metrics.ranking?.average_precision)}</td></tr>
        <tr><th scope="row">Brier / log loss / ECE</th><td class="num">${metrics.calibration ? `${number(metrics.calibration.brier)} / ${number(metrics.calibration.log_loss)} / ${number(metrics.calibration.ece)}` : '-'}</td></tr>
      </tbody>
    </table>
    ${card.scorecard ? html`<h3>Scorecard</h3><${ScorecardTable} report=${card.scorecard} />` : null}
    <h3>Decision policy</h3>
    <p>${`${
      card.decisionPolicy.kind === 'argmax'
        ? 'The predicted class is the most probable one.'
        : `The predicted class is the one with the highest probability times its weight: ${Object.entries(
            card.decisionPolicy.weights,
          )
            .map(([c, w]) => `${c} x${w.toFixed(3)}`)
            .join(', ')}.`
    } ${card.calibration ? `Probabilities are calibrated (${card.calibration.method ?? 'see the artifact'}).` : "Probabilities are the model's own."}`}</p>
    <h3>Fairness</h3>
    ${card.fairness?.length ? card.fairness.map((f) => html`<${FairnessTable} fairness=${f} classes=${classes} />`) : html`<p>No sensitive column was declared in the spec: not measured.</p>`}
    <h3>Limitations</h3>
    <ul>${card.limitations.map((l) => html`<li>${l}</li>`)}</ul>
    <h3>Promotions</h3>
    ${
      lineage.promotions.length
        ? html`<ul>${lineage.promotions.map((p) => html`<li>${when(p.at)}: ${p.alias} ${p.from ? `from ${p.from} ` : ''}to this version by ${p.by}: ${p.reason}</li>`)}</ul>`
        : html`<p>never promoted</p>`
    }
  </article>`;
}

/** One sensitive column: the summary ratios, then per group its rows and, per class, how often it is predicted and its recall. */
export function FairnessTable({ fairness, classes }: { fairness: Fairness; classes: string[] }) {
  const { summary } = fairness;
  // Two classes: the positive (second) class's numbers, as the summary; more: every class.
  const shown = classes.length === 2 ? [1] : classes.map((_, k) => k);
  const verdict =
    summary.fourFifthsRule === null
      ? 'no class selected'
      : summary.fourFifthsRule === 'passes'
        ? 'passes the four-fifths rule'
        : 'fails the four-fifths rule: below 0.8';
  return html`<div class="fairness" data-column=${fairness.column}>
    <p><strong>${fairness.column}</strong>: ${`demographic parity ratio ${number(summary.demographicParityRatio, 3)} (${verdict}), equalized odds difference ${number(summary.equalizedOddsDifference, 3)}.`}</p>
    <div class="scroll"><table>
      <thead><tr><th>group</th><th>rows</th><th>share</th>${shown.map((k) => html`<th>predicted ${classes[k]}</th><th>recall ${classes[k]}</th>`)}<th>AUC</th></tr></thead>
      <tbody>
        ${fairness.groups.map(
          (g) => html`<tr>
          <td>${g.group}</td><td class="num">${g.rows.toLocaleString()}</td><td class="num">${percent(g.share)}</td>
          ${shown.map((k) => html`<td class="num">${percent(g.selectionRate[k])}</td><td class="num">${percent(g.truePositiveRate[k])}</td>`)}
          <td class="num">${number(g.auc, 3)}</td>
        </tr>`,
        )}
      </tbody>
    </table></div>
  </div>`;
}
