import { memo, useMemo } from 'react';
import { CartesianGrid, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import type { ResourceSnapshot } from '../../src-shared/resources.js';
import { STORAGE_OPS, type StorageOp } from '../../src-shared/storage.js';
import { useShownPoints } from './use-shown-points.js';
import { ChartCard, Figure } from './ChartCard.js';
import { color, useAxisProps, useChartTheme } from './chart-theme.js';
import { bytes, integer, millis } from './format.js';

type StorageRow = { readonly t: number } & Readonly<Record<StorageOp, number>>;

/** p99 of each store operation in each second; 0 where none ran. */
export function storageRows(points: readonly ResourceSnapshot[]): StorageRow[] {
  return points.map((s) => ({
    t: s.t,
    list: s.storage.ops.list.windowMs.p99,
    get: s.storage.ops.get.windowMs.p99,
    append: s.storage.ops.append.windowMs.p99,
    fsync: s.storage.ops.fsync.windowMs.p99,
  }));
}

/** The history store: what it holds, the disk under it, and how long its operations take. */
export const StorageCard = memo(function StorageCard({ points: newest }: { points: readonly ResourceSnapshot[] }) {
  const [card, points] = useShownPoints(newest);
  const theme = useChartTheme();
  const axis = useAxisProps(theme);
  const rows = useMemo(() => storageRows(points), [points]);
  const s = points[points.length - 1]?.storage;
  if (!s) return null;
  const degraded = s.status === 'degraded';
  return (
    <ChartCard
      ref={card}
      title="Storage"
      points={rows.length}
      actions={<span className={`status-pill ${degraded ? 'warn' : 'good'}`}>{degraded ? 'degraded' : 'ok'}</span>}
      figures={
        <>
          <Figure label="Conversations" value={integer(s.conversations)} testId="storage-conversations" />
          <Figure label="Messages" value={integer(s.messages)} testId="storage-messages" />
          <Figure label="History" value={bytes(s.historyBytes)} />
          <Figure label="Logs" value={bytes(s.logBytes)} />
          <Figure
            label="Disk free"
            value={s.diskFreeBytes === null ? '–' : bytes(s.diskFreeBytes)}
            tone={s.diskFreeBytes !== null && s.diskFreeBytes < s.diskLowBytes ? 'bad' : undefined}
            testId="storage-disk-free"
          />
          <Figure label="Appends" value={integer(s.appends)} />
          <Figure
            label="Failed writes"
            value={integer(s.failedWrites)}
            tone={s.failedWrites ? 'warn' : undefined}
            testId="storage-failed"
          />
          <Figure label="Append p99" value={millis(s.ops.append.totalMs.p99)} />
        </>
      }
    >
      {degraded && (
        <p className="banner warn small" role="alert" data-testid="storage-problem">
          {s.problem} {s.fix}
        </p>
      )}
      <LineChart data={rows} responsive style={{ width: '100%', height: 220 }} margin={{ top: 8, right: 12, bottom: 0, left: 0 }}>
        <CartesianGrid {...axis.grid} />
        <XAxis {...axis.xAxis} />
        <YAxis {...axis.yAxis} unit=" ms" width={60} allowDecimals domain={[0, (max: number) => Math.max(1, Math.ceil(max * 1.2))]} />
        <Tooltip {...axis.tooltip} formatter={(v: unknown) => millis(Number(v))} />
        <Legend {...axis.legend} />
        {STORAGE_OPS.map((op, i) => (
          <Line key={op} dataKey={op} name={`${op} p99`} stroke={color(theme, i)} strokeWidth={2} dot={false} isAnimationActive={false} />
        ))}
      </LineChart>
    </ChartCard>
  );
});
