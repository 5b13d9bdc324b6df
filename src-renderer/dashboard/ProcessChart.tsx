import { memo, useMemo } from 'react';
import { CartesianGrid, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import type { ResourceSnapshot } from '../../src-shared/resources.js';
import { useShownPoints } from './use-shown-points.js';
import { ChartCard, Figure } from './ChartCard.js';
import { color, useAxisProps, useChartTheme } from './chart-theme.js';
import { bytes, millis } from './format.js';
import { processRows } from './series.js';

/** Memory of the main process and how late its event loop runs. */
export const ProcessChart = memo(function ProcessChart({ points: newest }: { points: readonly ResourceSnapshot[] }) {
  const [card, points] = useShownPoints(newest);
  const theme = useChartTheme();
  const axis = useAxisProps(theme);
  const rows = useMemo(() => processRows(points), [points]);
  const p = points[points.length - 1]?.process;
  return (
    <ChartCard
      ref={card}
      title="Process"
      points={rows.length}
      figures={
        <>
          <Figure label="RSS" value={p ? bytes(p.rss) : '–'} />
          <Figure label="Heap" value={p ? `${bytes(p.heapUsed)} / ${bytes(p.heapTotal)}` : '–'} />
          <Figure label="Event loop p50" value={p ? millis(p.eventLoopDelayP50Ms) : '–'} />
          <Figure
            label="p99"
            value={p ? millis(p.eventLoopDelayP99Ms) : '–'}
            tone={p && p.eventLoopDelayP99Ms > 100 ? 'warn' : undefined}
          />
        </>
      }
    >
      <LineChart data={rows} responsive style={{ width: '100%', height: 220 }} margin={{ top: 8, right: 4, bottom: 0, left: 0 }}>
        <CartesianGrid {...axis.grid} />
        <XAxis {...axis.xAxis} />
        <YAxis {...axis.yAxis} yAxisId="mb" unit=" MB" width={64} domain={[0, 'auto']} />
        <YAxis
          {...axis.yAxis}
          yAxisId="ms"
          orientation="right"
          unit=" ms"
          width={56}
          allowDecimals
          domain={[0, (max: number) => Math.max(5, Math.ceil(max * 1.2))]}
        />
        <Tooltip {...axis.tooltip} />
        <Legend {...axis.legend} />
        <Line yAxisId="mb" dataKey="rssMb" name="RSS (MB)" stroke={color(theme, 0)} strokeWidth={2} dot={false} isAnimationActive={false} />
        <Line
          yAxisId="mb"
          dataKey="heapMb"
          name="Heap used (MB)"
          stroke={color(theme, 3)}
          strokeWidth={2}
          dot={false}
          isAnimationActive={false}
        />
        <Line
          yAxisId="ms"
          dataKey="loopP99"
          name="Event loop p99 (ms)"
          stroke={color(theme, 2)}
          strokeWidth={1.5}
          dot={false}
          isAnimationActive={false}
        />
      </LineChart>
    </ChartCard>
  );
});
