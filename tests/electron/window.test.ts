import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { APP_ENTRY_URL } from '../../src-main/electron/origin.js';
import { claimSingleInstance } from '../../src-main/electron/single-instance.js';
import { createMainWindow, loadRenderer, reloadOnCrash } from '../../src-main/electron/window.js';
import { createFakeElectron, fakeEvent } from './fake-electron.js';

const logger = pino({ level: 'silent' });

function readyFake() {
  const e = createFakeElectron();
  e.app.makeReady();
  return e;
}

describe('the window', () => {
  it('is locked down, item by item', () => {
    const e = readyFake();
    const win = createMainWindow(e.BrowserWindow, '/app/out/preload/index.cjs');
    expect(e.windows).toHaveLength(1);
    const prefs = e.windows[0]!.options.webPreferences!;
    expect(prefs.contextIsolation).toBe(true);
    expect(prefs.sandbox).toBe(true);
    expect(prefs.nodeIntegration).toBe(false);
    expect(prefs.nodeIntegrationInWorker).toBe(false);
    expect(prefs.nodeIntegrationInSubFrames).toBe(false);
    expect(prefs.webSecurity).toBe(true);
    expect(prefs.webviewTag).toBe(false);
    expect(prefs.allowRunningInsecureContent).toBe(false);
    expect(prefs.preload).toBe('/app/out/preload/index.cjs');
    expect(win).toBe(e.windows[0]);
  });

  it('contacts nobody unasked and takes no middle-click: no spellchecker (its dictionaries download from Google), no auxclick', () => {
    const e = readyFake();
    createMainWindow(e.BrowserWindow, '/p.cjs');
    const prefs = e.windows[0]!.options.webPreferences!;
    expect(prefs.spellcheck).toBe(false);
    expect(prefs.disableBlinkFeatures?.split(',')).toContain('Auxclick');
  });

  it('stays hidden until ready-to-show, then shows', () => {
    const e = readyFake();
    createMainWindow(e.BrowserWindow, '/p.cjs');
    const w = e.windows[0]!;
    expect(w.options.show).toBe(false);
    expect(w.shows).toBe(0);
    w.emit('ready-to-show');
    expect(w.shows).toBe(1);
  });

  it('loads app://vega/index.html', async () => {
    const e = readyFake();
    const win = createMainWindow(e.BrowserWindow, '/p.cjs');
    await loadRenderer(win, logger);
    expect(e.windows[0]!.loaded).toEqual([APP_ENTRY_URL]);
    expect(APP_ENTRY_URL).toBe('app://vega/index.html');
  });

  it('reloads after the renderer crashes, but not in a crash loop or on a clean exit', () => {
    const e = readyFake();
    const win = createMainWindow(e.BrowserWindow, '/p.cjs');
    let t = 0;
    reloadOnCrash(win, logger, () => t);
    const wc = e.windows[0]!.webContents;
    wc.emit('render-process-gone', fakeEvent(), { reason: 'clean-exit', exitCode: 0 });
    expect(wc.reloads).toBe(0);
    for (let i = 0; i < 5; i++) wc.emit('render-process-gone', fakeEvent(), { reason: 'crashed', exitCode: 139 });
    expect(wc.reloads).toBe(3);
    t += 61_000;
    wc.emit('render-process-gone', fakeEvent(), { reason: 'killed', exitCode: 9 });
    expect(wc.reloads).toBe(4);
  });
});

describe('single instance', () => {
  it('a second instance focuses the existing window (restoring it if minimised)', () => {
    const e = readyFake();
    const win = createMainWindow(e.BrowserWindow, '/p.cjs');
    expect(claimSingleInstance(e.app, () => win)).toBe(true);
    const w = e.windows[0]!;
    w.minimized = true;
    e.app.emit('second-instance', fakeEvent(), ['vega'], '/');
    expect(w.restores).toBe(1);
    expect(w.focuses).toBe(1);
    expect(w.shows).toBe(1);
  });

  it('without the lock, this process quits and goes no further', () => {
    const e = createFakeElectron();
    e.app.lock = false;
    expect(claimSingleInstance(e.app, () => null)).toBe(false);
    expect(e.app.quitCalls).toBe(1);
    expect(e.app.listenerCount('second-instance')).toBe(0);
  });
});
