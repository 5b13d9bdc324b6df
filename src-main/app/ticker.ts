import { compactSnapshot, type ResourceSnapshot } from '../../src-shared/resources.js';
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
  /** What the app adds to the engine's figures (the host's processes, MCP and model servers), read only when someone listens. */
  extras?: () => Partial<Pick<ResourceSnapshot, 'appProcesses' | 'mcp' | 'endpoints'>>,
): void {
  const timer = setInterval(() => {
    const snap = rm.tick();
    if (!events.listenerCount('resources:snapshot')) return;
    events.emit('resources:snapshot', compactSnapshot({ ...snap, ...extras?.() }));
  }, tickMs);
  timer.unref();
  rm.registerCleanup('dashboard-ticker', () => clearInterval(timer), { phase: 'background' });
}
