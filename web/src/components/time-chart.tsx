/**
 * A time series chart (uPlot): one line per series over shared x values (epoch seconds), with a
 * text summary for screen readers, since a canvas says nothing to them.
 */
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

const COLOURS = ['#0b5cad', '#a4161a', '#8a5300', '#17663a', '#6a3d9a', '#4a525b'];

/** Draws `series` over `x` (epoch seconds); `summary` is read out instead of the canvas. */
export function TimeChart({ x, series, label, summary, height = 220 }: { x: number[]; series: { name: string; values: (number | null)[] }[]; label: string; summary: string; height?: number }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const plot = new uPlot({
      width: Math.max(300, el.clientWidth),
      height,
      series: [{}, ...series.map((s, i) => ({ label: s.name, stroke: COLOURS[i % COLOURS.length], width: 2 }))],
      axes: [{}, { size: 50 }],
      scales: { x: { time: true } },
    }, [x, ...series.map((s) => s.values)], el);
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(300, el.clientWidth), height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [x, series, height]);
  return (
    <figure role="group" aria-label={label} style={{ margin: 0 }}>
      <div ref={box} aria-hidden="true" />
      <figcaption className="muted">{summary}</figcaption>
    </figure>
  );
}
