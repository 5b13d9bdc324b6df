import { createVegaApi, type Transport, type Unsubscribe, type VegaApi } from '../../src-shared/api.js';
import { saveToken, takeTokenFromLocation } from './token.js';
import { WsTransport, type ConnectionStatus, type SocketFactory } from './ws-transport.js';

export type { ConnectionStatus };

/**
 * The API plus how it is connected. This is the only place in the renderer
 * that knows which host it runs in: the rest sees a VegaApi and a status.
 */
export interface Connection {
  readonly api: VegaApi;
  // Functions, not methods: useSyncExternalStore takes them on their own.
  readonly status: () => ConnectionStatus;
  readonly onStatus: (cb: (s: ConnectionStatus) => void) => Unsubscribe;
  /** Present where a key can be pasted (the web host). */
  readonly signIn?: (token: string) => void;
}

function isVegaApi(v: unknown): v is VegaApi {
  return !!v && typeof v === 'object' && 'chat' in v && 'resources' in v && 'config' in v;
}

function isTransport(v: unknown): v is Transport {
  return !!v && typeof v === 'object' && typeof (v as Transport).invoke === 'function' && typeof (v as Transport).subscribe === 'function';
}

/** A bridge that is always there (Electron's preload): never disconnected. */
export function staticConnection(api: VegaApi): Connection {
  return { api, status: () => 'open', onStatus: () => () => undefined };
}

/** The web host's socket, at /ws on the host that served the page. `socket` is for tests. */
export function webSocketConnection(token: string | null, loc: Location = window.location, socket?: SocketFactory): Connection {
  const scheme = loc.protocol === 'https:' ? 'wss' : 'ws';
  const transport = new WsTransport({
    token,
    url: (t) => `${scheme}://${loc.host}/ws?token=${encodeURIComponent(t)}`,
    ...(socket ? { socket } : {}),
  });
  return {
    api: createVegaApi(transport),
    status: () => transport.status,
    onStatus: (cb) => transport.onStatus(cb),
    signIn: (t) => {
      saveToken(t);
      transport.signIn(t);
    },
  };
}

let current: Connection | undefined;

/** The window's connection, made once: the preload bridge if there is one, else the web host's socket. */
export function getConnection(): Connection {
  if (current) return current;
  const bridge = (window as unknown as { vega?: unknown }).vega;
  if (isVegaApi(bridge)) current = staticConnection(bridge);
  else if (isTransport(bridge)) current = staticConnection(createVegaApi(bridge));
  else current = webSocketConnection(takeTokenFromLocation());
  return current;
}

export function getVegaApi(): VegaApi {
  return getConnection().api;
}
