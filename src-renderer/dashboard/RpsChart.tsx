import { memo, useMemo } from 'react';
import { Area, AreaChart, CartesianGrid, Legend, Tooltip, XAxis, YAxis } from 'recharts';
import type { ResourceSnapshot } from '../../src-shared/resources.js';
import { useShownPoints } from './use-shown-points.js';
import { ChartCard, Figure } from './ChartCard.js';
import { color, useAxisProps, useChartTheme } from './chart-theme.js';
import { shortOrigin } from './format.js';
import { rpsRows } from './series.js';

/** Requests completed per second, one stacked band per origin. */
export const RpsChart = memo(function RpsChart({
  points: newest,
  origins,
}: {
  points: readonly ResourceSnapshot[];
  origins: readonly string[];
}) {
  const [card, points] = useShownPoints(newest);
  const theme = useChartTheme();
  const axis = useAxisProps(theme);
  const rows = useMemo(() => rpsRows(points, origins), [points, origins]);
  const now = rows[rows.length - 1]?.v.reduce((a, b) => a + b, 0) ?? 0;
  const peak = rows.reduce(
    (m, r) =>
      Math.max(
        m,
        r.v.reduce((a, b) => a + b, 0),
      ),
    0,
  );
  return (
    <ChartCard
      ref={card}
      title="Requests per second"
      points={rows.length}
      figures={
        <>
          <Figure label="Now" value={now} />
          <Figure label="Peak in window" value={peak} />
          <Figure label="Origins" value={origins.length} />
        </>
      }
    >
      <AreaChart data={rows} responsive style={{ width: '100%', height: 220 }} margin={{ top: 8, right: 12, bottom: 0, left: 0 }}>
        <CartesianGrid {...axis.grid} />
        <XAxis {...axis.xAxis} />
        <YAxis {...axis.yAxis} domain={[0, (max: number) => Math.max(2, Math.ceil(max * 1.2))]} />
        <Tooltip {...axis.tooltip} />
        <Legend {...axis.legend} />
        {origins.map((o, i) => (
          <Area
            key={o}
            dataKey={(r: { v: readonly number[] }) => r.v[i] ?? 0}
            name={shortOrigin(o)}
            stackId="rps"
            stroke={color(theme, i)}
            fill={color(theme, i)}
            fillOpacity={0.25}
            dot={false}
            isAnimationActive={false}
            type="linear"
          />
        ))}
      </AreaChart>
    </ChartCard>
  );
});
