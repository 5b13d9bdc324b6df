import type { ResourceSnapshot } from '../../src-shared/resources.js';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startElectronHost } from '../../src-main/electron/host.js';
import { CALL_NAMES, type ChatEvent } from '../../src-shared/contract.js';
import { expectDiskEditSeen } from '../contract/disk-edit.js';
import { createFakeElectron } from './fake-electron.js';
import { startFakeHost, tempDir, writeRenderer, type FakeHost } from './harness.js';

let h: FakeHost | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await h?.dispose();
  h = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('the Electron host, wired on the fake surface', () => {
  it('wires the window: guards, permissions, IPC, the app:// page', async () => {
    h = await startFakeHost();
    const { electron: e, win } = h;
    expect(e.protocol.privileged?.[0]?.scheme).toBe('app');
    expect(e.protocol.handlers.has('app')).toBe(true);
    expect(e.ipcMain.handlers.size).toBe(CALL_NAMES.length);
    expect(win.loaded).toEqual(['app://vega/index.html']);
    expect(win.webContents.listenerCount('will-navigate')).toBe(1);
    expect(win.webContents.windowOpenHandler).toBeTypeOf('function');
    expect(e.session.defaultSession.requestHandler).toBeTypeOf('function');
    expect(e.session.defaultSession.checkHandler).toBeTypeOf('function');
    expect(await (await e.protocol.request('app://vega/index.html')).text()).toContain('<title>Vega</title>');
  });

  it('calls from the page reach the engine as host electron', async () => {
    h = await startFakeHost();
    const info = await h.api.app.info();
    expect(info.host).toBe('electron');
    expect(info.dataDir).toBe(path.join(h.dir, 'data'));
  });

  it("uses Electron's userData folder as the data dir when VEGA_DATA_DIR is unset", async () => {
    const dir = tempDir();
    dirs.push(dir);
    const envFile = path.join(dir, '.env');
    writeFileSync(envFile, '');
    const e = createFakeElectron(path.join(dir, 'user-data'));
    const starting = startElectronHost(e, {
      preloadPath: 'p.cjs',
      rendererDir: writeRenderer(dir),
      appOptions: { envFile, env: {}, console: false },
    });
    e.app.makeReady();
    const host = await starting;
    expect(host?.vega.rm.dataDir).toBe(path.join(dir, 'user-data'));
    await host?.quit();
    expect(e.app.exits).toEqual([0]);
  });

  it('pushes engine events to the page; after the window closes, the hub lets go', async () => {
    h = await startFakeHost({ tickMs: 20 });
    const seen: ChatEvent[] = [];
    let snapshots = 0;
    h.api.chat.onEvent((ev) => seen.push(ev));
    h.api.resources.onSnapshot(() => snapshots++);
    const ev: ChatEvent = { type: 'token', conversationId: 'c', messageId: 'm', text: 'hello' };
    h.host.vega.events.emit('chat:event', ev);
    expect(seen).toEqual([ev]);
    await new Promise((r) => setTimeout(r, 120));
    expect(snapshots).toBeGreaterThan(0);

    h.win.close();
    expect(h.host.window()).toBeNull();
    expect(h.host.vega.events.listenerCount('chat:event')).toBe(0);
    expect(h.host.vega.events.listenerCount('resources:snapshot')).toBe(0);
    h.host.vega.events.emit('chat:event', ev);
    expect(seen).toHaveLength(1);
    // A closed window's page is no trusted sender any more.
    await expect(h.api.app.info()).rejects.toMatchObject({ code: 'FORBIDDEN_SENDER' });
  });

  it("each snapshot carries every app process from Electron's getAppMetrics", async () => {
    h = await startFakeHost({ tickMs: 20 });
    const snaps: ResourceSnapshot[] = [];
    h.api.resources.onSnapshot((s) => snaps.push(s));
    await new Promise((r) => setTimeout(r, 120));
    expect(snaps.at(-1)?.appProcesses).toEqual([
      { pid: 100, type: 'Browser', cpuPercent: 1.3, memory: 81_920 * 1024 },
      { pid: 101, type: 'Tab', cpuPercent: 0.5, memory: 40_960 * 1024 },
    ]);
  });

  it('closing the last window quits through the same cleanup, exiting 0', async () => {
    h = await startFakeHost();
    h.win.close();
    h.electron.app.emit('window-all-closed');
    await h.host.quit();
    expect(h.electron.app.exits).toEqual([0]);
    expect(h.host.vega.rm.closed).toBe(true);
  });

  it('app:restart relaunches, then runs the ordered quit and exits 0', async () => {
    h = await startFakeHost();
    const relaunch = vi.spyOn(h.electron.app, 'relaunch');
    const exit = vi.spyOn(h.electron.app, 'exit');
    const shutdown = vi.spyOn(h.host.vega.rm, 'shutdown');
    expect(await h.api.app.restart()).toEqual({ restarting: true, message: 'Vega is restarting.' });
    await h.host.quit();
    expect(relaunch).toHaveBeenCalledTimes(1);
    expect(shutdown).toHaveBeenCalledTimes(1);
    expect(exit.mock.calls).toEqual([[0]]);
    // Electron starts the new instance when this one exits: relaunch must come first.
    expect(relaunch.mock.invocationCallOrder[0]).toBeLessThan(shutdown.mock.invocationCallOrder[0]!);
    expect(h.host.vega.rm.closed).toBe(true);
  });

  it('an edit of the .env file on disk is picked up at once, as in the web host', async () => {
    h = await startFakeHost({ envText: 'VEGA_MODEL=first\n' });
    await expectDiskEditSeen(h.api, path.join(h.dir, '.env'), 'VEGA_MODEL=edited-on-disk\n', 'VEGA_MODEL', 'edited-on-disk');
  });

  it('a second instance stops before starting an engine or a window', async () => {
    const e = createFakeElectron();
    e.app.lock = false;
    const starting = startElectronHost(e, { preloadPath: 'p.cjs', rendererDir: '/nonexistent', appOptions: { env: {}, console: false } });
    e.app.makeReady();
    expect(await starting).toBeNull();
    expect(e.app.quitCalls).toBe(1);
    expect(e.windows).toHaveLength(0);
    expect(e.ipcMain.handlers.size).toBe(0);
  });

  it('an engine that cannot start shows an error box and exits 1', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const notADir = path.join(dir, 'file');
    writeFileSync(notADir, '');
    const e = createFakeElectron();
    const starting = startElectronHost(e, {
      preloadPath: 'p.cjs',
      rendererDir: '/nonexistent',
      appOptions: { envFile: path.join(dir, '.env'), env: { VEGA_DATA_DIR: path.join(notADir, 'data') }, console: false },
    });
    e.app.makeReady();
    expect(await starting).toBeNull();
    expect(e.dialog.errors).toHaveLength(1);
    expect(e.dialog.errors[0]?.[0]).toBe('Vega could not start');
    expect(e.app.exits).toEqual([1]);
    expect(e.windows).toHaveLength(0);
  });
});
