import { useEffect, useRef } from 'react';
import uPlot from 'uplot';

/** Colours of the labels, most urgent first (the same as the label badges). */
export const LABEL_COLOURS: Readonly<Record<string, string>> = {
  incident: '#8b0000',
  '3d-forensic': '#c0392b',
  '3d': '#e67e22',
  '14d': '#d4ac0d',
  '60d': '#2e86c1',
  'next-upgrade': '#7f8c8d',
  none: '#b0b0b0',
};

/**
 * Open findings per label over days, stacked: each band is drawn as the running sum of the labels up to it,
 * the least urgent at the top, so the top edge is the total. uPlot draws on a canvas; the numbers are also
 * in the table beside it for screen readers.
 */
export function OpenChart(props: { readonly days: readonly string[]; readonly labels: readonly { readonly label: string; readonly counts: readonly number[] }[] }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = box.current;
    if (element === null) return;
    const xs = props.days.map((day) => Date.parse(`${day}T00:00:00Z`) / 1000);
    const stacked: number[][] = [];
    let running = xs.map(() => 0);
    for (const { counts } of props.labels) {
      running = running.map((sum, k) => sum + (counts[k] ?? 0));
      stacked.push(running);
    }
    // Drawn from the top (largest sum) down, so each smaller band paints over the larger one.
    const order = props.labels.map((_, k) => k).reverse();
    const chart = new uPlot(
      {
        width: Math.max(320, element.clientWidth),
        height: 240,
        scales: { x: { time: true } },
        axes: [{}, { label: 'open findings' }],
        series: [{}, ...order.map((k) => ({ label: props.labels[k]?.label ?? '', stroke: LABEL_COLOURS[props.labels[k]?.label ?? 'none'] ?? '#888', fill: LABEL_COLOURS[props.labels[k]?.label ?? 'none'] ?? '#888', width: 1 }))],
        legend: { show: true },
      },
      [xs, ...order.map((k) => stacked[k] ?? [])],
      element,
    );
    return () => chart.destroy();
  }, [props.days, props.labels]);
  return <div ref={box} className="chart" role="img" aria-label="Open findings per priority label over the last days" />;
}
