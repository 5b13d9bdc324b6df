import { build } from 'esbuild';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { exposeVega } from '../../src-main/electron/preload-api.js';
import type { IpcRendererSurface } from '../../src-main/electron/surface.js';
import { createVegaApi, type Transport } from '../../src-shared/api.js';
import type { ChatEvent } from '../../src-shared/contract.js';
import { VegaError } from '../../src-shared/errors.js';
import { createFakeElectron, FakeIpcMain, FakeRenderer } from './fake-electron.js';

/**
 * The VegaApi's method set, as the shared `createVegaApi` builds it (tsc holds
 * that builder to the interface: a missing or extra method fails the build).
 */
function vegaApiMethodSet(): Record<string, string[]> {
  const dummy: Transport = { invoke: async () => ({ ok: true, value: null }), subscribe: () => () => undefined };
  return Object.fromEntries(Object.entries(createVegaApi(dummy)).map(([ns, methods]) => [ns, Object.keys(methods as object).sort()]));
}

function preloadWorld() {
  const e = createFakeElectron();
  e.app.makeReady();
  const win = new e.BrowserWindow({});
  const renderer = new FakeRenderer(e.windows[0]!.webContents, new FakeIpcMain());
  exposeVega(renderer);
  return { renderer, win, api: createVegaApi(renderer.exposed.get('vega') as Transport) };
}

function recordingIpc(answer: (channel: string, params: unknown) => unknown) {
  const listeners = new Map<string, Set<(e: unknown, ...a: unknown[]) => void>>();
  const ipc: IpcRendererSurface & { deliver(ch: string, payload: unknown): void; count(ch: string): number } = {
    invoke: vi.fn(async (channel: string, params: unknown) => answer(channel, params)),
    on: (ch, l) => (listeners.get(ch) ?? listeners.set(ch, new Set()).get(ch)!).add(l),
    removeListener: (ch, l) => listeners.get(ch)?.delete(l),
    deliver: (ch, payload) => listeners.get(ch)?.forEach((l) => l({ senderId: 0, ports: [] }, payload)),
    count: (ch) => listeners.get(ch)?.size ?? 0,
  };
  return ipc;
}

describe('the preload', () => {
  it('exposes window.vega and nothing else', () => {
    const { renderer } = preloadWorld();
    expect([...renderer.exposed.keys()]).toEqual(['vega']);
  });

  it('window.vega is the contract transport and nothing else: no ipcRenderer, no send', () => {
    const { renderer } = preloadWorld();
    const exposed = renderer.exposed.get('vega') as Record<string, unknown>;
    expect(Object.keys(exposed).sort()).toEqual(['invoke', 'subscribe']);
    for (const leak of ['ipcRenderer', 'send', 'removeListener', 'require', 'process', 'emit']) expect(exposed).not.toHaveProperty(leak);
  });

  it('the page builds the full VegaApi over it, and errors keep their code', async () => {
    const ipc = recordingIpc((channel) =>
      channel === 'config:get'
        ? { ok: false, error: { code: 'CONFIG_UNAVAILABLE', message: 'no .env' } }
        : { ok: true, value: `answer to ${channel}` },
    );
    const renderer = { contextBridge: { exposeInMainWorld: vi.fn() }, ipcRenderer: ipc };
    exposeVega(renderer);
    const api = createVegaApi(renderer.contextBridge.exposeInMainWorld.mock.calls[0]![1] as Transport);
    expect(Object.fromEntries(Object.entries(api).map(([ns, m]) => [ns, Object.keys(m as object).sort()]))).toEqual(vegaApiMethodSet());
    expect(await api.app.info()).toBe('answer to app:info');
    expect(await api.chat.get({ conversationId: 'c1' })).toBe('answer to chat:get');
    // Each call carries a request id made in the page, which main keeps for logs and headers.
    expect(ipc.invoke).toHaveBeenCalledWith('app:info', {}, expect.stringMatching(/^[0-9a-f-]{36}$/));
    expect(ipc.invoke).toHaveBeenCalledWith('chat:get', { conversationId: 'c1' }, expect.stringMatching(/^[0-9a-f-]{36}$/));
    const err = await api.config.get().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VegaError);
    expect(err).toMatchObject({ code: 'CONFIG_UNAVAILABLE', message: 'no .env' });
  });

  it('refuses channels and events outside the contract without touching IPC', async () => {
    const ipc = recordingIpc(() => ({ ok: true, value: null }));
    const renderer = { contextBridge: { exposeInMainWorld: vi.fn() }, ipcRenderer: ipc };
    exposeVega(renderer);
    const t = renderer.contextBridge.exposeInMainWorld.mock.calls[0]![1] as Transport;
    expect(await t.invoke('shell:openExternal' as never, {})).toMatchObject({ ok: false, error: { code: 'UNKNOWN_CHANNEL' } });
    expect(ipc.invoke).not.toHaveBeenCalled();
    expect(() => t.subscribe('ipc:anything' as never, () => undefined)).toThrow(/no event named/);
    expect(ipc.count('ipc:anything')).toBe(0);
  });

  it('a subscription delivers the payload only and returns a working unsubscribe', () => {
    const ipc = recordingIpc(() => ({ ok: true, value: null }));
    const renderer = { contextBridge: { exposeInMainWorld: vi.fn() }, ipcRenderer: ipc };
    exposeVega(renderer);
    const api = createVegaApi(renderer.contextBridge.exposeInMainWorld.mock.calls[0]![1] as Transport);
    const seen: unknown[][] = [];
    const off = api.chat.onEvent((...args: unknown[]) => seen.push(args));
    const offSnap = api.resources.onSnapshot(() => undefined);
    expect(ipc.count('chat:event')).toBe(1);
    expect(ipc.count('resources:snapshot')).toBe(1);
    const ev: ChatEvent = { type: 'token', conversationId: 'c', messageId: 'm', text: 'x' };
    ipc.deliver('chat:event', ev);
    // The IPC event object (sender, ports) never reaches the page.
    expect(seen).toEqual([[ev]]);
    off();
    off();
    expect(ipc.count('chat:event')).toBe(0);
    ipc.deliver('chat:event', ev);
    expect(seen).toHaveLength(1);
    offSnap();
    expect(ipc.count('resources:snapshot')).toBe(0);
  });

  it('events sent to the window reach the page through the fake IPC, until unsubscribed', () => {
    const { renderer, api } = preloadWorld();
    const seen: ChatEvent[] = [];
    const off = api.chat.onEvent((e) => seen.push(e));
    const ev: ChatEvent = { type: 'token', conversationId: 'c', messageId: 'm', text: 'y' };
    renderer.contents.send('chat:event', ev);
    expect(seen).toEqual([ev]);
    off();
    renderer.contents.send('chat:event', ev);
    expect(seen).toHaveLength(1);
    expect(renderer.listenerCount('chat:event')).toBe(0);
  });

  it("bundles for the sandbox: one CommonJS file whose only require is 'electron'", async () => {
    const root = path.resolve(__dirname, '../..');
    const out = await build({
      absWorkingDir: root,
      entryPoints: ['src-main/electron/preload.ts'],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      external: ['electron'],
      write: false,
      logLevel: 'silent',
    });
    const code = out.outputFiles[0]!.text;
    const requires = [...code.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1]);
    expect(new Set(requires)).toEqual(new Set(['electron']));
    // No zod, no Node built-ins: the contract's types only.
    expect(code).not.toMatch(/node:|ZodError/);
    expect(code.length).toBeLessThan(20_000);
  });
});
