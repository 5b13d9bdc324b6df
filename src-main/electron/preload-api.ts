import type { Transport } from '../../src-shared/api.js';
import { isCallName, isEventName } from '../../src-shared/channels.js';
import type { Envelope } from '../../src-shared/contract.js';
import type { IpcRendererSurface, PreloadSurface } from './surface.js';

/**
 * The preload's whole job: make the contract reachable as `window.vega`. It
 * runs in the sandbox (one CommonJS bundle, only 'electron' external) and
 * must stay tiny: it imports the channel names, not the schemas.
 *
 * It exposes the contract's transport — `invoke` for the named calls and
 * `subscribe` for the named events — and the page builds the VegaApi over it
 * with the same `createVegaApi` as the web client. Exposing the built API
 * instead would break its errors: contextBridge passes only the message of an
 * Error thrown across it, so the page could not tell a VegaError's code.
 * Envelopes are plain values and cross intact.
 */
export function ipcTransport(ipc: IpcRendererSurface): Transport {
  return {
    invoke: (channel, params, requestId) =>
      isCallName(channel)
        ? (ipc.invoke(channel, params, requestId) as Promise<Envelope<unknown>>)
        : Promise.resolve({
            ok: false,
            error: { code: 'UNKNOWN_CHANNEL', message: `There is no channel named ${JSON.stringify(String(channel).slice(0, 64))}.` },
          }),
    subscribe: (event, cb) => {
      if (!isEventName(event)) throw new TypeError(`There is no event named ${JSON.stringify(String(event).slice(0, 64))}.`);
      // The page gets the payload only, never the IPC event (sender, ports).
      const listener = (_e: unknown, payload: unknown) => cb(payload as never);
      ipc.on(event, listener);
      let active = true;
      return () => {
        if (!active) return;
        active = false;
        ipc.removeListener(event, listener);
      };
    },
  };
}

/** Expose the contract's transport, and only that, as `window.vega`. */
export function exposeVega({ contextBridge, ipcRenderer }: PreloadSurface): void {
  // eslint-disable-next-line @typescript-eslint/unbound-method -- ipcTransport's members are arrow functions, with no `this` to lose
  const { invoke, subscribe } = ipcTransport(ipcRenderer);
  contextBridge.exposeInMainWorld('vega', { invoke, subscribe });
}
