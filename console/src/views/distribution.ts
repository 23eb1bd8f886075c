/** Training versus current shares of one column, bin by bin, as paired horizontal bars. */
import { html } from '../html.ts';
import { percent } from '../ui.ts';

export interface Distribution {
  labels: string[];
  training: number[];
  current: number[];
}

export function DistributionChart({ column, distribution }: { column: string; distribution: Distribution }) {
  const top = Math.max(...distribution.training, ...distribution.current, 0.001);
  return html`<figure class="distribution" data-column=${column}>
    <figcaption>${column}: <span class="key-training">training</span> and <span class="key-current">now</span>, share per ${distribution.labels.length > 1 ? 'bin' : 'value'}</figcaption>
    <table>
      <tbody>
        ${distribution.labels.map(
          (label, i) => html`<tr>
            <th scope="row">${label}</th>
            <td class="bars">
              <div class="bar training" style=${{ width: `${(distribution.training[i] / top) * 100}%` }} title=${`training ${percent(distribution.training[i])}`}></div>
              <div class="bar current" style=${{ width: `${(distribution.current[i] / top) * 100}%` }} title=${`now ${percent(distribution.current[i])}`}></div>
            </td>
            <td class="num">${percent(distribution.training[i])} / ${percent(distribution.current[i])}</td>
          </tr>`,
        )}
      </tbody>
    </table>
  </figure>`;
}
