import { createVegaApi, type Transport, type VegaApi } from '../../src-shared/api.js';
import type { Envelope } from '../../src-shared/contract.js';
import type { IpcRendererSurface, PreloadSurface } from './surface.js';

/**
 * The preload's whole job: turn the contract into `window.vega`. It runs in
 * the sandbox (bundled into one CommonJS file, only 'electron' external) and
 * must stay tiny; in particular it imports no zod (types only from contract).
 */

/**
 * A Transport over ipcRenderer. The renderer never sees ipcRenderer or the
 * IPC event object: channels are fixed by `createVegaApi`, and listeners
 * receive only the payload.
 */
export function ipcTransport(ipc: IpcRendererSurface): Transport {
  return {
    invoke: (channel, params) => ipc.invoke(channel, params) as Promise<Envelope<unknown>>,
    subscribe: (event, cb) => {
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

export function buildPreloadApi(ipc: IpcRendererSurface): VegaApi {
  return createVegaApi(ipcTransport(ipc));
}

/** Expose the contract's methods, and only those, as `window.vega`. */
export function exposeVega({ contextBridge, ipcRenderer }: PreloadSurface): void {
  contextBridge.exposeInMainWorld('vega', buildPreloadApi(ipcRenderer));
}
