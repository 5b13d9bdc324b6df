import { createContext, useContext, useSyncExternalStore, type ReactNode } from 'react';
import type { VegaApi } from '../../src-shared/api.js';
import type { Connection, ConnectionStatus } from './connection.js';

const ApiContext = createContext<VegaApi | null>(null);
const ConnectionContext = createContext<Connection | null>(null);

export function ApiProvider({ connection, children }: { connection: Connection; children: ReactNode }) {
  return (
    <ConnectionContext.Provider value={connection}>
      <ApiContext.Provider value={connection.api}>{children}</ApiContext.Provider>
    </ConnectionContext.Provider>
  );
}

export function useApi(): VegaApi {
  const api = useContext(ApiContext);
  if (!api) throw new Error('useApi outside ApiProvider');
  return api;
}

export function useConnectionStatus(connection?: Connection): ConnectionStatus {
  const fromContext = useContext(ConnectionContext);
  const c = connection ?? fromContext;
  if (!c) throw new Error('useConnectionStatus outside ApiProvider');
  return useSyncExternalStore(c.onStatus, c.status, c.status);
}
