/**
 * The chart of a hunting result (chart-data.ts): series over time as lines (the console's
 * TimeChart), or series over categories as bars or lines drawn with uPlot, each with a text
 * summary for screen readers.
 */
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { TimeChart } from '../../components/time-chart.tsx';
import type { ChartData } from './chart-data.ts';

const COLOURS = ['#0b5cad', '#a4161a', '#8a5300', '#17663a', '#6a3d9a', '#4a525b', '#006d77', '#9c6644', '#5a189a', '#2b2d42'];

/** What a screen reader hears instead of the canvas: the series, their extent and totals. */
export function chartSummary(c: ChartData): string {
  const what = c.series.map((s) => `${s.name} (total ${s.values.reduce<number>((t, v) => t + (v ?? 0), 0).toLocaleString('en-US')})`).join(', ');
  if (c.kind === 'time') {
    const from = new Date(c.x[0] * 1000).toISOString();
    const to = new Date(c.x[c.x.length - 1] * 1000).toISOString();
    return `${c.series.length} series over ${c.xName} from ${from} to ${to}: ${what}.`;
  }
  return `${c.series.length} series over ${c.x.length} values of ${c.xName}: ${what}.`;
}

function CategoryChart({ data, label, summary }: { data: Extract<ChartData, { kind: 'category' }>; label: string; summary: string }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const n = data.series.length;
    // several bar series share each category: each later one narrower, drawn over the earlier ones
    const bars = (i: number) => (data.style === 'bars' ? uPlot.paths.bars!({ size: [0.8 * (1 - i / (n + 1)), 80], align: 0 }) : undefined);
    const plot = new uPlot({
      width: Math.max(300, el.clientWidth),
      height: 260,
      series: [
        {},
        ...data.series.map((s, i) => ({
          label: s.name,
          stroke: COLOURS[i % COLOURS.length],
          fill: data.style === 'bars' ? `${COLOURS[i % COLOURS.length]}cc` : undefined,
          width: data.style === 'bars' ? 1 : 2,
          paths: bars(i),
          points: { show: data.style !== 'bars' },
        })),
      ],
      scales: { x: { time: false, range: [-0.5, data.x.length - 0.5] } },
      axes: [
        { values: (_u: uPlot, ticks: number[]) => ticks.map((t) => (Number.isInteger(t) ? data.x[t] ?? '' : '')), incrs: [1, 2, 5, 10, 20, 50], space: 24, gap: 4, size: 70, rotate: -30 },
        { size: 60 },
      ],
      legend: { show: true },
    }, [data.x.map((_, i) => i), ...data.series.map((s) => s.values)], el);
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(300, el.clientWidth), height: 260 }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [data]);
  return (
    <figure aria-label={label} style={{ margin: 0 }}>
      <div ref={box} aria-hidden="true" />
      <figcaption className="muted">{summary}</figcaption>
    </figure>
  );
}

/** The chart of `data`, named `label`. */
export function ResultChart({ data, label }: { data: ChartData; label: string }) {
  const summary = chartSummary(data);
  return data.kind === 'time'
    ? <TimeChart x={data.x} series={data.series} label={label} summary={summary} height={260} />
    : <CategoryChart data={data} label={label} summary={summary} />;
}
