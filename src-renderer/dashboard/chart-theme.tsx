import { useMemo } from 'react';
import { usePrefersDark } from '../app/use-prefers-dark.js';
import { clock } from './format.js';

/**
 * Chart colours per OS theme. SVG presentation attributes take plain
 * colours, so these mirror the CSS variables; every series colour keeps at
 * least 3:1 against its card background.
 */
const LIGHT = {
  text: '#24292f',
  muted: '#57606a',
  grid: '#d8dee4',
  surface: '#ffffff',
  series: ['#2563eb', '#15803d', '#b45309', '#7c3aed', '#dc2626', '#0f766e', '#be185d', '#4b5563'],
};
const DARK = {
  text: '#e6edf3',
  muted: '#9ba7b4',
  grid: '#30363d',
  surface: '#161b22',
  series: ['#60a5fa', '#4ade80', '#fbbf24', '#c084fc', '#f87171', '#2dd4bf', '#f472b6', '#9ca3af'],
};

export type ChartTheme = typeof LIGHT;

export function useChartTheme(): ChartTheme {
  const dark = usePrefersDark();
  return dark ? DARK : LIGHT;
}

export function color(theme: ChartTheme, i: number): string {
  return theme.series[i % theme.series.length]!;
}

/** Shared axis/grid/tooltip props, built once per theme. */
export function useAxisProps(theme: ChartTheme) {
  return useMemo(
    () => ({
      xAxis: {
        dataKey: 't',
        type: 'number' as const,
        scale: 'time' as const,
        domain: ['dataMin', 'dataMax'] as ['dataMin', 'dataMax'],
        tickFormatter: (t: number) => clock(t),
        tick: { fill: theme.muted, fontSize: 11 },
        stroke: theme.grid,
        minTickGap: 40,
      },
      yAxis: { tick: { fill: theme.muted, fontSize: 11 }, stroke: theme.grid, width: 44, allowDecimals: false },
      grid: { stroke: theme.grid, strokeDasharray: '3 3', vertical: false },
      tooltip: {
        isAnimationActive: false,
        labelFormatter: (t: unknown) => (typeof t === 'number' ? clock(t) : String(t)),
        contentStyle: { background: theme.surface, border: `1px solid ${theme.grid}`, borderRadius: 8, color: theme.text, fontSize: 12 },
        labelStyle: { color: theme.muted },
      },
      legend: {
        iconType: 'plainline' as const,
        wrapperStyle: { fontSize: 12 },
        // Legend text in the body colour: series colours are too light for text contrast.
        formatter: (value: unknown) => <span style={{ color: theme.text }}>{String(value)}</span>,
      },
    }),
    [theme],
  );
}
