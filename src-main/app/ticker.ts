import { compactSnapshot, type AppProcess } from '../../src-shared/resources.js';
import type { ResourceManager } from '../engine/resource-manager.js';
import type { EventHub } from './events.js';

/**
 * One snapshot per second, pushed. The window of per-second rates closes on
 * this tick whether or not anyone is watching; it stops with the background
 * phase of the shutdown.
 */
export function startDashboardTicker(
  rm: ResourceManager,
  events: EventHub,
  tickMs: number,
  appProcesses?: () => readonly AppProcess[],
): void {
  const timer = setInterval(() => {
    const snap = rm.tick();
    if (!events.listenerCount('resources:snapshot')) return;
    const processes = appProcesses?.();
    events.emit('resources:snapshot', compactSnapshot(processes ? { ...snap, appProcesses: processes } : snap));
  }, tickMs);
  timer.unref();
  rm.registerCleanup('dashboard-ticker', () => clearInterval(timer), { phase: 'background' });
}
