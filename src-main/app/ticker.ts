import { compactSnapshot, type ResourceSnapshot } from '../../src-shared/resources.js';
import type { ResourceManager } from '../engine/resource-manager.js';
import type { EventHub } from './events.js';

/**
 * One snapshot per second, pushed, while someone listens: with no window
 * open nothing ticks (the per-second figures close by the clock, see
 * RateWindow), and the engine samples its event loop coarsely. It stops for
 * good with the background phase of the shutdown.
 */
export function startDashboardTicker(
  rm: ResourceManager,
  events: EventHub,
  tickMs: number,
  /** What the app adds to the engine's figures (the host's processes, MCP and model servers). */
  extras?: () => Partial<Pick<ResourceSnapshot, 'appProcesses' | 'mcp' | 'endpoints'>>,
): void {
  let timer: NodeJS.Timeout | undefined;
  const tick = (): void => {
    events.emit('resources:snapshot', compactSnapshot({ ...rm.tick(), ...extras?.() }));
  };
  const follow = (listeners: number): void => {
    if (listeners > 0 && !timer) {
      rm.watched(true);
      timer = setInterval(tick, tickMs);
      timer.unref();
    } else if (listeners === 0 && timer) {
      clearInterval(timer);
      timer = undefined;
      rm.watched(false);
    }
  };
  const unfollow = events.onListenerCount('resources:snapshot', follow);
  follow(events.listenerCount('resources:snapshot'));
  rm.registerCleanup(
    'dashboard-ticker',
    () => {
      unfollow();
      follow(0);
    },
    { phase: 'background' },
  );
}
