import { describe } from 'vitest';
import type { Envelope } from '../../src-shared/contract.js';
import { runContractSuite } from '../contract/suite.js';
import { tempWebHost } from '../helpers/web.js';
import { connectApi } from '../helpers/ws-client.js';

// The same contract suite as over Electron IPC, through the web host's one
// WebSocket: frames → dispatchCall → a real engine in a temp folder.
describe('the contract over the WebSocket', () => {
  runContractSuite(async () => {
    const w = await tempWebHost();
    const c = await connectApi(w.host.url, w.key);
    let id = 1_000_000;
    return {
      api: c.api,
      invokeRaw: (channel, params) => c.raw(JSON.stringify({ id: id++, channel, params })) as Promise<Envelope<unknown>>,
      close: async () => {
        await c.close();
        await w.dispose();
      },
    };
  });
});
