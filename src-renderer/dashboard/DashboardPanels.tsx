import { useMemo, useState } from 'react';
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
import { RpsChart } from './RpsChart.js';
import { ALL_ORIGINS, originsIn } from './series.js';
import { StatsStrip } from './StatsStrip.js';
import { StorageCard } from './StorageCard.js';
import { useHostStatus } from './use-host-status.js';
import type { DashboardHistory } from './DashboardView.js';

const NO_MODELS: never[] = [];
const NO_POINTS: never[] = [];
const NO_PROVIDERS: never[] = [];

/**
 * The charts. `version` changes once per snapshot (the history mutates in
 * place: it is only the re-render signal) and refreshes the live figures;
 * the charts are memoised on their window's points, an array that changes
 * only when a new bucket opens, so they redraw once per bucket.
 */
export function DashboardPanels({ history, version: _version }: { history: DashboardHistory; version: number }) {
  const api = useApi();
  const [windowMin, setWindowMin] = useState<WindowMinutes>(5);
  const [origin, setOrigin] = useState<string>(ALL_ORIGINS);
  const host = useHostStatus(api);

  const points = history.windows.get(windowMin)?.points ?? NO_POINTS;
  const origins = useMemo(() => originsIn(points), [points]);
  // Keep the list's identity while it is the same, so the RPS chart's series are stable.
  const originsKey = origins.join('\n');
  const stableOrigins = useMemo(() => (originsKey ? originsKey.split('\n') : []), [originsKey]);
  const latest = history.latest;
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
