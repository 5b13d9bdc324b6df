import { memo, useMemo } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ReferenceLine, Tooltip, XAxis, YAxis } from 'recharts';
import type { ResourceSnapshot } from '../../src-shared/resources.js';
import { useShownPoints } from './use-shown-points.js';
import { ChartCard, Figure } from './ChartCard.js';
import { color, useAxisProps, useChartTheme } from './chart-theme.js';
import { connectionRows } from './series.js';

const SERIES = ['connected', 'free', 'running', 'pending', 'queued'] as const;

/** Pool gauges over time against the configured per-origin limit. */
export const ConnectionsChart = memo(function ConnectionsChart({
  points: newest,
  origin,
  limit,
}: {
  points: readonly ResourceSnapshot[];
  origin: string;
  limit: number;
}) {
  const [card, points] = useShownPoints(newest);
  const theme = useChartTheme();
  const axis = useAxisProps(theme);
  const rows = useMemo(() => connectionRows(points, origin), [points, origin]);
  const now = rows[rows.length - 1];
  const peak = rows.reduce((m, r) => Math.max(m, r.connected, r.running + r.pending + r.queued), 0);
  // The limit (100 by default) would flatten a handful of connections into
  // the floor: draw it when it is within reach, otherwise state it.
  const showLimit = limit > 0 && limit <= Math.max(4, peak * 2);
  return (
    <ChartCard
      ref={card}
      title="Connections"
      points={rows.length}
      figures={
        <>
          <Figure label="Connected" value={now?.connected ?? 0} testId="connections-connected" />
          <Figure label="Running" value={now?.running ?? 0} />
          <Figure label="Queued" value={now?.queued ?? 0} tone={now && now.queued > 0 ? 'warn' : undefined} />
          <Figure label="Limit per origin" value={limit} />
        </>
      }
    >
      <LineChart data={rows} responsive style={{ width: '100%', height: 220 }} margin={{ top: 8, right: 12, bottom: 0, left: 0 }}>
        <CartesianGrid {...axis.grid} />
        <XAxis {...axis.xAxis} />
        <YAxis {...axis.yAxis} domain={[0, (max: number) => Math.max(4, Math.ceil(max * 1.2), showLimit ? limit : 0)]} />
        <Tooltip {...axis.tooltip} />
        <Legend {...axis.legend} />
        {SERIES.map((k, i) => (
          <Line
            key={k}
            dataKey={k}
            name={k}
            stroke={color(theme, i)}
            strokeWidth={k === 'connected' ? 2.5 : 1.5}
            dot={false}
            isAnimationActive={false}
            type="stepAfter"
          />
        ))}
        {showLimit && (
          <ReferenceLine
            y={limit}
            stroke={theme.muted}
            strokeDasharray="6 4"
            label={{ value: `limit ${limit}`, fill: theme.muted, fontSize: 11, position: 'insideTopRight' }}
          />
        )}
      </LineChart>
    </ChartCard>
  );
});
