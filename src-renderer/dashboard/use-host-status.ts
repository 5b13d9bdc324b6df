import { useEffect, useState } from 'react';
import type { VegaApi } from '../../src-shared/api.js';
import type { ProvidersReport } from '../../src-shared/contract.js';
import type { HealthReport, RecentRequest } from '../../src-shared/resources.js';
import { errorValue } from '../api/errors.js';

export interface HostStatus {
  readonly report: ProvidersReport | null;
  readonly health: HealthReport | null;
  readonly requests: readonly RecentRequest[] | null;
  readonly error: string | null;
}

const EVERY_MS = 10_000;

/**
 * Provider health, loaded models and the recent-requests table are calls,
 * not pushed: asked once when the dashboard opens and every 10 s while it
 * (and the window) is visible. Probing providers costs requests, so nothing
 * asks while nobody looks.
 */
export function useHostStatus(api: VegaApi): HostStatus {
  const [state, setState] = useState<HostStatus>({ report: null, health: null, requests: null, error: null });
  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let running = false;
    const load = async () => {
      timer = undefined;
      running = true;
      if (document.visibilityState === 'visible') {
        const [report, health, requests] = await Promise.allSettled([
          api.resources.providers(),
          api.resources.health(),
          api.resources.requests({ limit: 12 }),
        ]);
        if (!live) return;
        setState((s) => ({
          report: report.status === 'fulfilled' ? report.value : s.report,
          health: health.status === 'fulfilled' ? health.value : s.health,
          requests: requests.status === 'fulfilled' ? requests.value : s.requests,
          error: report.status === 'rejected' ? errorValue(report.reason).message : null,
        }));
      }
      running = false;
      if (live) timer = setTimeout(() => void load(), EVERY_MS);
    };
    // Back from a hidden window: refresh now instead of waiting out the timer.
    const onVisible = () => {
      if (document.visibilityState !== 'visible' || !live || running) return;
      if (timer) clearTimeout(timer);
      void load();
    };
    void load();
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      live = false;
      if (timer) clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [api]);
  return state;
}
