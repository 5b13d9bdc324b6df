import { lazy, Suspense, useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { ResourceSnapshot } from '../../src-shared/resources.js';
import { useApi } from '../api/context.js';
import { ChartPoints } from './chart-points.js';
import { WINDOWS, type WindowMinutes } from './DashboardToolbar.js';

/** What the dashboard keeps of the feed: the newest snapshot, and each window's chart points. */
export interface DashboardHistory {
  latest: ResourceSnapshot | undefined;
  readonly windows: ReadonlyMap<WindowMinutes, ChartPoints<ResourceSnapshot>>;
}

// Recharts is most of the bundle's weight: loaded when the dashboard first opens.
const DashboardPanels = lazy(() => import('./DashboardPanels.js').then((m) => ({ default: m.DashboardPanels })));

/**
 * Owns the snapshot feed. It listens from the start, so opening the
 * dashboard shows the history already gathered, but it only re-renders
 * (its own subtree, nothing above it) while visible. Each snapshot is
 * appended to every window's points in O(1); no window is recomputed.
 */
export function DashboardView({ visible }: { visible: boolean }) {
  const api = useApi();
  const [history] = useState<DashboardHistory>(() => ({
    latest: undefined,
    windows: new Map(WINDOWS.map((w) => [w, new ChartPoints<ResourceSnapshot>(w * 60_000)])),
  }));
  const [version, setVersion] = useState(0);
  const visibleRef = useRef(visible);
  useLayoutEffect(() => {
    visibleRef.current = visible;
  });

  useEffect(
    () =>
      api.resources.onSnapshot((s) => {
        // A reconnect can replay or reorder; the charts need time order.
        if (history.latest && s.t <= history.latest.t) return;
        history.latest = s;
        for (const points of history.windows.values()) points.push(s);
        if (visibleRef.current) setVersion((v) => v + 1);
      }),
    [api, history],
  );

  // Catch up on what arrived while hidden (set while rendering, as React advises for a changed prop).
  const [wasVisible, setWasVisible] = useState(visible);
  if (visible !== wasVisible) {
    setWasVisible(visible);
    if (visible) setVersion((v) => v + 1);
  }

  if (!visible) return null;
  return (
    <section className="dashboard" aria-label="Resource dashboard">
      <Suspense fallback={<p className="loading">Loading the dashboard…</p>}>
        <DashboardPanels history={history} version={version} />
      </Suspense>
    </section>
  );
}
