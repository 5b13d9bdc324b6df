import { useMemo, useState } from 'react';
import type { ResourceSnapshot } from '../../src-shared/resources.js';
import { useApi } from '../api/context.js';
import { ApiClients } from './ApiClients.js';
import { AppProcesses } from './AppProcesses.js';
import { CacheChart } from './CacheChart.js';
import { ConnectionsChart } from './ConnectionsChart.js';
import { DashboardToolbar, type WindowMinutes } from './DashboardToolbar.js';
import { FleetCard } from './FleetCard.js';
import { HealthPanel } from './HealthPanel.js';
import { LatencyChart } from './LatencyChart.js';
import { LoadedModels } from './LoadedModels.js';
import { McpServers } from './McpServers.js';
import { ActivePulls } from '../models/ActivePulls.js';
import { ProcessChart } from './ProcessChart.js';
import { RecentRequests } from './RecentRequests.js';
import { downsample, windowSlice, type RingBuffer } from './ring-buffer.js';
import { RpsChart } from './RpsChart.js';
import { ALL_ORIGINS, originsIn } from './series.js';
import { StatsStrip } from './StatsStrip.js';
import { StorageCard } from './StorageCard.js';
import { useHostStatus } from './use-host-status.js';

/** Drawn points per chart at most, whatever the window. */
export const MAX_POINTS = 300;

const NO_MODELS: never[] = [];
const NO_PROVIDERS: never[] = [];

/**
 * The charts. `version` changes once per snapshot; everything is derived
 * from the buffer under that one key, and each chart is memoised on its
 * rows, so a tick re-renders the charts and nothing else on the page.
 */
export function DashboardPanels({ buffer, version }: { buffer: RingBuffer<ResourceSnapshot>; version: number }) {
  const api = useApi();
  const [windowMin, setWindowMin] = useState<WindowMinutes>(5);
  const [origin, setOrigin] = useState<string>(ALL_ORIGINS);
  const host = useHostStatus(api);

  // The buffer mutates in place: `version` is its change signal.
  // eslint-disable-next-line react-hooks/exhaustive-deps -- version is the dependency that changes when the buffer's content does
  const points = useMemo(() => downsample(windowSlice(buffer, windowMin * 60_000), MAX_POINTS), [buffer, version, windowMin]);
  const origins = useMemo(() => originsIn(points), [points]);
  // Keep the list's identity while it is the same, so the RPS chart's series are stable.
  const originsKey = origins.join('\n');
  const stableOrigins = useMemo(() => (originsKey ? originsKey.split('\n') : []), [originsKey]);
  const latest = points[points.length - 1];
  const shownOrigin = origin === ALL_ORIGINS || origins.includes(origin) ? origin : ALL_ORIGINS;

  return (
    <>
      <DashboardToolbar
        windowMin={windowMin}
        onWindow={setWindowMin}
        origins={stableOrigins}
        origin={shownOrigin}
        onOrigin={setOrigin}
        lastT={latest?.t ?? null}
      />
      {!latest ? (
        <p className="loading">Waiting for the first snapshot…</p>
      ) : (
        <>
          <StatsStrip s={latest} />
          <div className="grid">
            <ConnectionsChart points={points} origin={shownOrigin} limit={latest.manager.connectionLimit} />
            <RpsChart points={points} origins={stableOrigins} />
            <LatencyChart points={points} origin={shownOrigin} />
            <CacheChart points={points} />
            <StorageCard points={points} />
            <ProcessChart points={points} />
            {latest.appProcesses?.length ? <AppProcesses processes={latest.appProcesses} /> : null}
            {latest.mcp ? <McpServers mcp={latest.mcp} /> : null}
            {latest.apiClients?.length ? <ApiClients clients={latest.apiClients} /> : null}
            {latest.endpoints?.length ? <FleetCard endpoints={latest.endpoints} /> : null}
            <HealthPanel
              status={latest.health}
              health={host.health}
              providers={host.report?.providers ?? NO_PROVIDERS}
              error={host.error}
            />
            <LoadedModels models={host.report?.loadedModels ?? NO_MODELS} />
            <ActivePulls />
            <RecentRequests requests={host.requests} />
          </div>
        </>
      )}
    </>
  );
}
