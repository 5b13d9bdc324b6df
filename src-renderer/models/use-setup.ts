import { useCallback, useEffect, useState } from 'react';
import type { VegaApi } from '../../src-shared/api.js';
import type { SetupStatus } from '../../src-shared/models.js';

/** Often enough that an Ollama started later is noticed within a few seconds. */
export const RECHECK_MS = 3_000;

export interface SetupState {
  readonly status: SetupStatus | null;
  /** The host could not say (an error): the chat is shown as it would be without the card. */
  readonly failed: boolean;
  /** Ask again now (a pull finished, a setting was saved). */
  readonly refresh: () => void;
}

/**
 * The first-run status, asked while `active` and checked again every few
 * seconds until a chat can start; once ready, it stops asking.
 */
export function useSetup(api: VegaApi, active: boolean): SetupState {
  const [status, setStatus] = useState<SetupStatus | null>(null);
  const [failed, setFailed] = useState(false);
  const [asked, setAsked] = useState(0);
  const refresh = useCallback(() => setAsked((n) => n + 1), []);
  useEffect(() => {
    if (!active) return;
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const check = async () => {
      timer = undefined;
      try {
        const s = await api.setup.status();
        if (!live) return;
        setStatus(s);
        setFailed(false);
        if (s.ready) return;
      } catch {
        if (live) setFailed(true);
        return;
      }
      timer = setTimeout(() => void check(), RECHECK_MS);
    };
    void check();
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [api, active, asked]);
  return { status, failed, refresh };
}
