import { memo, useMemo } from 'react';
import { CartesianGrid, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import type { ResourceSnapshot } from '../../src-shared/resources.js';
import { useShownPoints } from './use-shown-points.js';
import { ChartCard, Figure } from './ChartCard.js';
import { color, useAxisProps, useChartTheme } from './chart-theme.js';
import { millis } from './format.js';
import { ALL_ORIGINS, latencyRows } from './series.js';

/** p50 and p95 of the last second's requests. */
export const LatencyChart = memo(function LatencyChart({
  points: newest,
  origin,
}: {
  points: readonly ResourceSnapshot[];
  origin: string;
}) {
  const [card, points] = useShownPoints(newest);
  const theme = useChartTheme();
  const axis = useAxisProps(theme);
  const rows = useMemo(() => latencyRows(points, origin), [points, origin]);
  const latest = points[points.length - 1];
  const total = origin === ALL_ORIGINS ? undefined : latest?.origins.find((o) => o.origin === origin)?.totalMs;
  const now = rows[rows.length - 1];
  return (
    <ChartCard
      ref={card}
      title="Latency (p50/p95)"
      points={rows.length}
      figures={
        <>
          <Figure label="p50" value={millis(now?.p50 ?? 0)} />
          <Figure label="p95" value={millis(now?.p95 ?? 0)} />
          {total ? (
            <Figure label="p99 since start" value={millis(total.p99)} />
          ) : (
            <Figure label="Scope" value={origin === ALL_ORIGINS ? 'slowest origin' : 'origin'} />
          )}
        </>
      }
    >
      <LineChart data={rows} responsive style={{ width: '100%', height: 220 }} margin={{ top: 8, right: 12, bottom: 0, left: 0 }}>
        <CartesianGrid {...axis.grid} />
        <XAxis {...axis.xAxis} />
        <YAxis {...axis.yAxis} unit=" ms" width={60} domain={[0, (max: number) => Math.max(10, Math.ceil(max * 1.2))]} />
        <Tooltip {...axis.tooltip} formatter={(v: unknown) => millis(Number(v))} />
        <Legend {...axis.legend} />
        <Line dataKey="p50" name="p50" stroke={color(theme, 0)} strokeWidth={2} dot={false} isAnimationActive={false} />
        <Line dataKey="p95" name="p95" stroke={color(theme, 2)} strokeWidth={2} dot={false} isAnimationActive={false} />
      </LineChart>
    </ChartCard>
  );
});
