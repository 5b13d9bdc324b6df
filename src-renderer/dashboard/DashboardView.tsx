import { lazy, Suspense, useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { ResourceSnapshot } from '../../src-shared/resources.js';
import { useApi } from '../api/context.js';
import { RingBuffer } from './ring-buffer.js';

/** An hour of one-per-second snapshots. */
export const HISTORY_CAPACITY = 3600;

// Recharts is most of the bundle's weight: loaded when the dashboard first opens.
const DashboardPanels = lazy(() => import('./DashboardPanels.js').then((m) => ({ default: m.DashboardPanels })));

/**
 * Owns the snapshot feed. It listens from the start, so opening the
 * dashboard shows the history already gathered, but it only re-renders
 * (its own subtree, nothing above it) while visible.
 */
export function DashboardView({ visible }: { visible: boolean }) {
  const api = useApi();
  const [buffer] = useState(() => new RingBuffer<ResourceSnapshot>(HISTORY_CAPACITY));
  const [version, setVersion] = useState(0);
  const visibleRef = useRef(visible);
  useLayoutEffect(() => {
    visibleRef.current = visible;
  });

  useEffect(
    () =>
      api.resources.onSnapshot((s) => {
        const last = buffer.last();
        // A reconnect can replay or reorder; the charts need time order.
        if (last && s.t <= last.t) return;
        buffer.push(s);
        if (visibleRef.current) setVersion((v) => v + 1);
      }),
    [api, buffer],
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
        <DashboardPanels buffer={buffer} version={version} />
      </Suspense>
    </section>
  );
}
