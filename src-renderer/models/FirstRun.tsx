import { useEffect, useRef, type ReactNode } from 'react';
import type { SetupStatus } from '../../src-shared/models.js';
import { useApi } from '../api/context.js';
import { SetupCard } from './SetupCard.js';
import { useSetup } from './use-setup.js';

interface Props {
  /** A new, empty chat: the only place the card may stand in for. */
  show: boolean;
  /** Once a model is ready: which provider and model a new chat should use. */
  onReady?: (status: SetupStatus) => void;
  children: ReactNode;
}

/**
 * The chat's first run: while no provider can answer, the setup card stands
 * in for the empty conversation; it gives way by itself once a model is
 * ready. Until the host has answered (or if it cannot), the chat shows.
 */
export function FirstRun({ show, onReady, children }: Props) {
  const api = useApi();
  const { status, failed, refresh } = useSetup(api, show);
  const told = useRef<SetupStatus | null>(null);
  useEffect(() => {
    if (!show || !status?.ready || told.current === status) return;
    told.current = status;
    onReady?.(status);
  }, [show, status, onReady]);
  if (!show || failed || !status || status.ready) return <>{children}</>;
  return (
    <div className="messages setup-wrap">
      <SetupCard status={status} onRefresh={refresh} />
    </div>
  );
}
