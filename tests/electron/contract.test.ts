import { describe } from 'vitest';
import type { Envelope } from '../../src-shared/contract.js';
import { runContractSuite } from '../contract/suite.js';
import { startFakeHost } from './harness.js';

// The shared contract suite, through the whole Electron glue: the preload's
// window.vega → (fake) ipcRenderer → ipcMain handlers with the sender check →
// dispatchCall → a real engine in a temp folder.
describe('the contract over Electron IPC', () => {
  runContractSuite(async () => {
    const h = await startFakeHost();
    return {
      api: h.api,
      close: () => h.dispose(),
      // Stands in for a page that somehow had ipcRenderer: an unregistered channel has no handler.
      invokeRaw: (channel, params) => h.renderer.ipcRenderer.invoke(channel, params) as Promise<Envelope<unknown>>,
    };
  });
});
