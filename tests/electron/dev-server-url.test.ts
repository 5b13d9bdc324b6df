import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { chooseAppOrigin } from '../../src-main/electron/host.js';
import { BUILT_APP, parseDevServerUrl } from '../../src-main/electron/origin.js';
import { FakeFrame } from './fake-electron.js';
import { startFakeHost, type FakeHost } from './harness.js';

/**
 * `npm run dev` starts Electron with VEGA_DEV_SERVER_URL set to Vite's
 * loopback page. Unpackaged, the window loads it and that exact origin
 * replaces app://vega for the guards and the IPC sender check; packaged, the
 * variable means nothing; anything but http://127.0.0.1:PORT/ or
 * http://localhost:PORT/ is refused with a log line.
 */

const DEV = 'http://127.0.0.1:5173/';

let h: FakeHost | undefined;
afterEach(async () => {
  await h?.dispose();
  h = undefined;
});

/** A call from the window's main frame while it shows `url`. */
async function callFrom(host: FakeHost, url: string): Promise<unknown> {
  const wc = host.win.webContents;
  const frame = new FakeFrame(url, null, wc.mainFrame.frameTreeNodeId);
  return host.electron.ipcMain.invoke({ sender: wc, senderFrame: frame }, 'app:info', {});
}

/** A logger that keeps what it was told at warn level. */
function recordingLogger() {
  const lines: { level: number; msg: string }[] = [];
  const logger = pino({ level: 'info' }, { write: (s: string) => void lines.push(JSON.parse(s) as (typeof lines)[number]) });
  return { logger, warned: () => lines.filter((l) => l.level >= 40) };
}

describe('VEGA_DEV_SERVER_URL, unpackaged (npm run dev)', () => {
  it('the window loads the dev server; calls from that origin reach the engine', async () => {
    h = await startFakeHost({ devServerUrl: DEV });
    expect(h.electron.app.isPackaged).toBe(false);
    expect(h.win.loaded).toEqual([DEV]);
    // The preload's window.vega, from the page Vite served.
    expect((await h.api.app.info()).host).toBe('electron');
    expect(await callFrom(h, 'http://127.0.0.1:5173/index.html#/settings')).toMatchObject({ ok: true });
  });

  it('only that exact origin is home: navigations elsewhere are still blocked, other senders still refused', async () => {
    h = await startFakeHost({ devServerUrl: DEV });
    const wc = h.win.webContents;
    expect(wc.attempt('will-navigate', 'http://127.0.0.1:5173/other')).toBe(false);
    for (const url of [
      'https://evil.example/',
      'http://127.0.0.1:5174/',
      'http://127.0.0.1:51730/',
      'http://localhost:5173/',
      'https://127.0.0.1:5173/',
      'app://vega/index.html',
    ]) {
      expect(wc.attempt('will-navigate', url), url).toBe(true);
      expect(wc.attempt('will-redirect', url), url).toBe(true);
      expect(await callFrom(h, url), url).toMatchObject({ ok: false, error: { code: 'FORBIDDEN_SENDER' } });
    }
    // A subframe on the dev origin is still not the window.
    const sub = wc.subframe('http://127.0.0.1:5173/');
    expect(await h.electron.ipcMain.invoke({ sender: wc, senderFrame: sub }, 'app:info', {})).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN_SENDER' },
    });
    // Permissions follow the same origin.
    const session = h.electron.session.defaultSession;
    expect(await session.request('clipboard-sanitized-write', 'http://127.0.0.1:5173/')).toBe(true);
    expect(session.check('clipboard-sanitized-write', 'http://127.0.0.1:5173')).toBe(true);
    expect(await session.request('clipboard-sanitized-write', 'http://127.0.0.1:5174/')).toBe(false);
    expect(await session.request('media', 'http://127.0.0.1:5173/')).toBe(false);
  });

  it('the window keeps every security setting', async () => {
    h = await startFakeHost({ devServerUrl: DEV });
    const prefs = h.win.options.webPreferences!;
    expect([prefs.contextIsolation, prefs.sandbox, prefs.nodeIntegration, prefs.webSecurity]).toEqual([true, true, false, true]);
  });

  it('localhost works the same way', () => {
    const { logger } = recordingLogger();
    expect(chooseAppOrigin({ isPackaged: false }, 'http://localhost:5180/', logger)).toEqual({
      origin: 'http://localhost:5180',
      entryUrl: 'http://localhost:5180/',
    });
  });
});

describe('VEGA_DEV_SERVER_URL, packaged', () => {
  it('is ignored: app://vega/index.html, and the dev origin is foreign', async () => {
    h = await startFakeHost({ devServerUrl: DEV, before: (e) => (e.app.isPackaged = true) });
    expect(h.win.loaded).toEqual(['app://vega/index.html']);
    expect((await h.api.app.info()).host).toBe('electron');
    expect(h.win.webContents.attempt('will-navigate', DEV)).toBe(true);
    expect(await callFrom(h, DEV)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN_SENDER' } });
  });

  it('is not even looked at (no log line)', () => {
    const { logger, warned } = recordingLogger();
    expect(chooseAppOrigin({ isPackaged: true }, 'http://evil.example:5173/', logger)).toBe(BUILT_APP);
    expect(warned()).toEqual([]);
  });
});

describe('VEGA_DEV_SERVER_URL that is not a loopback dev server', () => {
  it('is refused with a log line; the window loads the built renderer', async () => {
    h = await startFakeHost({ devServerUrl: 'http://192.168.1.20:5173/' });
    expect(h.win.loaded).toEqual(['app://vega/index.html']);
    expect(h.win.webContents.attempt('will-navigate', 'http://192.168.1.20:5173/')).toBe(true);
    expect(await callFrom(h, 'http://192.168.1.20:5173/')).toMatchObject({ ok: false, error: { code: 'FORBIDDEN_SENDER' } });
  });

  it.each([
    'http://192.168.1.20:5173/',
    'http://evil.example:5173/',
    'http://localhost.evil.example:5173/',
    'http://127.0.0.2:5173/',
    'http://[::1]:5173/',
    'https://127.0.0.1:5173/',
    'ws://127.0.0.1:5173/',
    'file:///tmp/index.html',
    'http://127.0.0.1/',
    'http://user:pass@127.0.0.1:5173/',
    'http://127.0.0.1:5173/evil/',
    'http://127.0.0.1:5173/?x=1',
    'not a url',
  ])('%s', (url) => {
    const { logger, warned } = recordingLogger();
    expect(parseDevServerUrl(url).ok).toBe(false);
    expect(chooseAppOrigin({ isPackaged: false }, url, logger)).toBe(BUILT_APP);
    expect(warned().map((l) => l.msg)).toEqual(['Refused VEGA_DEV_SERVER_URL; loading the built renderer']);
  });

  it('unset or empty: the built renderer, silently', () => {
    const { logger, warned } = recordingLogger();
    expect(chooseAppOrigin({ isPackaged: false }, undefined, logger)).toBe(BUILT_APP);
    expect(chooseAppOrigin({ isPackaged: false }, '', logger)).toBe(BUILT_APP);
    expect(warned()).toEqual([]);
  });
});
