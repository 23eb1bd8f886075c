/**
 * A time-series chart (uPlot: small, canvas, no network): one line per series, x in seconds.
 * Null values are gaps. The chart is rebuilt when the data changes and sized to its box.
 */
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { html } from '../html.ts';

const COLOURS = ['#0b57d0', '#8a3ffc', '#136f3a', '#a05a00', '#b00020', '#555555'];

export interface Line {
  label: string;
  values: (number | null)[];
  dashed?: boolean;
}

export function TimeChart({
  title,
  times,
  lines,
  unit,
}: {
  title: string;
  times: number[];
  lines: Line[];
  unit: string;
}) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el || times.length === 0) return;
    const chart = new uPlot(
      {
        title,
        width: Math.max(280, Math.min(900, el.clientWidth || 600)),
        height: 240,
        series: [
          {},
          ...lines.map((l, i) => ({
            label: l.label,
            stroke: COLOURS[i % COLOURS.length],
            dash: l.dashed ? [6, 4] : undefined,
            spanGaps: false,
            value: (_u: uPlot, v: number | null) => (v === null ? '-' : `${v.toFixed(1)} ${unit}`),
          })),
        ],
        axes: [{}, { label: unit }],
      },
      [times.map((t) => t / 1000), ...lines.map((l) => l.values)] as uPlot.AlignedData,
      el,
    );
    return () => chart.destroy();
  }, [title, times, lines, unit]);
  return html`<div class="chart" ref=${box} role="img" aria-label=${`${title}: ${lines.map((l) => l.label).join(', ')}`}></div>`;
}
