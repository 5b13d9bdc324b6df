// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';

afterEach(() => {
  delete (window as unknown as { vega?: unknown }).vega;
  vi.resetModules();
});

describe('getVegaApi', () => {
  it("uses Electron's preload transport (window.vega) when there is one, and opens no socket", async () => {
    const invoke = vi.fn(async () => ({ ok: true as const, value: [] }));
    (window as unknown as { vega: unknown }).vega = { invoke, subscribe: vi.fn(() => () => undefined) };
    const WS = vi.fn();
    vi.stubGlobal('WebSocket', WS);
    const { getConnection, getVegaApi } = await import('../../src-renderer/api/connection.js');
    await expect(getVegaApi().chat.list()).resolves.toEqual([]);
    expect(invoke).toHaveBeenCalledWith('chat:list', {}, expect.any(String));
    expect(getConnection().status()).toBe('open');
    expect(WS).not.toHaveBeenCalled();
    vi.unstubAllGlobals();
  });

  it('otherwise connects a WebSocket to /ws on the host that served the page, with the key', async () => {
    history.replaceState(null, '', '/?token=abc123');
    const urls: string[] = [];
    vi.stubGlobal(
      'WebSocket',
      class {
        readyState = 0;
        constructor(url: string) {
          urls.push(url);
        }
        send() {}
        close() {}
      },
    );
    const { getConnection } = await import('../../src-renderer/api/connection.js');
    expect(getConnection().status()).toBe('connecting');
    expect(urls).toEqual([`ws://${location.host}/ws?token=abc123`]);
    expect(location.search).toBe('');
    vi.unstubAllGlobals();
    sessionStorage.clear();
  });
});
