import { memo, useMemo, useState } from 'react';
import { Area, AreaChart, CartesianGrid, Tooltip, XAxis, YAxis } from 'recharts';
import type { ConfigCacheStatsValue, ResourceSnapshot } from '../../src-shared/resources.js';
import { useApi } from '../api/context.js';
import { useToast } from '../app/Toasts.js';
import { errorValue } from '../api/errors.js';
import { useShownPoints } from './use-shown-points.js';
import { ChartCard, Figure } from './ChartCard.js';
import { color, useAxisProps, useChartTheme } from './chart-theme.js';
import { duration, integer } from './format.js';
import { cacheRows } from './series.js';

function cacheState(c: ConfigCacheStatsValue | undefined): string {
  if (!c) return '–';
  if (c.degraded) return 'degraded';
  if (!c.cached) return 'empty';
  return c.cacheAgeSeconds === null ? 'cached' : `cached ${duration(c.cacheAgeSeconds)}`;
}

/** Hit rate of the .env cache over time; Invalidate drops it so the next read reloads. */
export const CacheChart = memo(function CacheChart({ points: newest }: { points: readonly ResourceSnapshot[] }) {
  const api = useApi();
  const toast = useToast();
  const [card, points] = useShownPoints(newest);
  const theme = useChartTheme();
  const axis = useAxisProps(theme);
  const rows = useMemo(() => cacheRows(points), [points]);
  const [busy, setBusy] = useState(false);
  const cache = points[points.length - 1]?.configCache;

  const invalidate = async () => {
    setBusy(true);
    try {
      await api.resources.invalidateCache();
      toast('Configuration cache invalidated', 'success');
    } catch (err) {
      toast(errorValue(err).message, 'error');
    } finally {
      setBusy(false);
    }
  };

  return (
    <ChartCard
      ref={card}
      title="Config cache hit rate"
      points={rows.length}
      actions={
        <button type="button" className="btn small" onClick={() => void invalidate()} disabled={busy}>
          Invalidate cache
        </button>
      }
      figures={
        <>
          <Figure
            label="Hit rate"
            value={cache ? `${cache.hitRate.toFixed(1)}%` : '–'}
            tone={cache && cache.hitRate < 80 && cache.hits + cache.misses > 10 ? 'warn' : undefined}
            testId="cache-hit-rate"
          />
          <Figure label="Hits" value={integer(cache?.hits ?? 0)} testId="cache-hits" />
          <Figure label="Misses" value={integer(cache?.misses ?? 0)} testId="cache-misses" />
          <Figure label="State" value={cacheState(cache)} tone={cache?.degraded ? 'bad' : undefined} testId="cache-state" />
        </>
      }
    >
      <AreaChart data={rows} responsive style={{ width: '100%', height: 220 }} margin={{ top: 8, right: 12, bottom: 0, left: 0 }}>
        <CartesianGrid {...axis.grid} />
        <XAxis {...axis.xAxis} />
        <YAxis {...axis.yAxis} unit="%" domain={[0, 100]} />
        <Tooltip {...axis.tooltip} formatter={(v: unknown) => `${Number(v).toFixed(1)}%`} />
        <Area
          dataKey="hitRate"
          name="hit rate"
          stroke={color(theme, 1)}
          fill={color(theme, 1)}
          fillOpacity={0.2}
          strokeWidth={2}
          dot={false}
          isAnimationActive={false}
          type="stepAfter"
        />
      </AreaChart>
    </ChartCard>
  );
});
