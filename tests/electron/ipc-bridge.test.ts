import pino from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { EventHub } from '../../src-main/app/events.js';
import type { Handlers } from '../../src-main/app/router.js';
import { forwardEvents, isTrustedSender, registerIpcHandlers } from '../../src-main/electron/ipc-bridge.js';
import { CALL_NAMES, EVENT_NAMES, type ChatEvent } from '../../src-shared/contract.js';
import { createFakeElectron, FakeFrame, type FakeWebContents } from './fake-electron.js';

const logger = pino({ level: 'silent' });

function spyHandlers() {
  const calls: { channel: string; params: unknown; host: string }[] = [];
  const handlers = Object.fromEntries(
    CALL_NAMES.map((channel) => [
      channel,
      vi.fn((params: unknown, ctx: { host: string }) => (calls.push({ channel, params, host: ctx.host }), { answered: channel })),
    ]),
  ) as unknown as Handlers;
  return { handlers, calls };
}

async function bridged() {
  const e = createFakeElectron();
  e.app.makeReady();
  const win = new e.BrowserWindow({});
  await win.loadURL('app://vega/index.html');
  const { handlers, calls } = spyHandlers();
  const dispose = registerIpcHandlers({ ipcMain: e.ipcMain, handlers, getWindow: () => (win.isDestroyed() ? null : win), logger });
  const wc = e.windows[0]!.webContents;
  const from = (sender: FakeWebContents, senderFrame: FakeFrame | null) => ({ sender, senderFrame });
  return { e, win: e.windows[0]!, wc, calls, dispose, from };
}

describe('IPC handlers', () => {
  it('registers every contract call exactly once, and removes them all', async () => {
    const { e, dispose } = await bridged();
    expect(e.ipcMain.registrations).toHaveLength(CALL_NAMES.length);
    expect(new Set(e.ipcMain.registrations).size).toBe(CALL_NAMES.length);
    expect([...e.ipcMain.registrations].sort()).toEqual([...CALL_NAMES].sort());
    dispose();
    expect(e.ipcMain.handlers.size).toBe(0);
  });

  it('answers a call from our window through dispatchCall, marked host electron', async () => {
    const { e, wc, calls, from } = await bridged();
    const env = await e.ipcMain.invoke(from(wc, wc.mainFrame), 'app:info', {});
    expect(env).toEqual({ ok: true, value: { answered: 'app:info' } });
    expect(calls).toEqual([{ channel: 'app:info', params: {}, host: 'electron' }]);
  });

  it('refuses a wrong sender frame without reaching the handler', async () => {
    const { e, wc, calls, from } = await bridged();
    const stranger = e.createContents();
    stranger.mainFrame.url = 'app://vega/index.html';
    const foreignMain = new FakeFrame('https://evil.example/', null, wc.mainFrame.frameTreeNodeId);
    const cases = {
      'a frame showing another URL': from(wc, foreignMain),
      'a look-alike origin': from(wc, new FakeFrame('app://vega.evil/index.html', null, wc.mainFrame.frameTreeNodeId)),
      'a subframe of our window, even on app://vega/': from(wc, wc.subframe('app://vega/index.html')),
      'a missing frame (gone mid-call)': from(wc, null),
      'another webContents on app://vega/': from(stranger, stranger.mainFrame),
      'a frame claiming our window from another webContents': from(stranger, wc.mainFrame),
    };
    for (const [what, event] of Object.entries(cases)) {
      const env = await e.ipcMain.invoke(event, 'config:get', {});
      expect(env, what).toMatchObject({ ok: false, error: { code: 'FORBIDDEN_SENDER' } });
    }
    // The frame getter throwing (Electron does for a disposed frame) is refused too.
    const throwing = {
      sender: wc,
      get senderFrame(): FakeFrame {
        throw new Error('Render frame was disposed');
      },
    };
    expect(await e.ipcMain.invoke(throwing, 'config:get', {})).toMatchObject({ ok: false, error: { code: 'FORBIDDEN_SENDER' } });
    expect(calls).toEqual([]);
  });

  it('refuses calls once the window is gone, and after the page navigated away', async () => {
    const { e, win, wc, calls, from } = await bridged();
    wc.mainFrame.url = 'https://evil.example/';
    expect(await e.ipcMain.invoke(from(wc, wc.mainFrame), 'app:info', {})).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN_SENDER' },
    });
    wc.mainFrame.url = 'app://vega/index.html';
    win.close();
    expect(await e.ipcMain.invoke(from(wc, wc.mainFrame), 'app:info', {})).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN_SENDER' },
    });
    expect(isTrustedSender(from(wc, wc.mainFrame), null)).toBe(false);
    expect(calls).toEqual([]);
  });

  it('a payload failing the schema is BAD_REQUEST; an own __proto__ key is refused', async () => {
    const { e, wc, calls, from } = await bridged();
    const ok = from(wc, wc.mainFrame);
    expect(await e.ipcMain.invoke(ok, 'chat:get', { conversationId: 5 })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(await e.ipcMain.invoke(ok, 'app:info', { extra: 1 })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(await e.ipcMain.invoke(ok, 'app:info', JSON.parse('{"__proto__":{"polluted":1}}'))).toMatchObject({
      ok: false,
      error: { code: 'BAD_REQUEST' },
    });
    expect(await e.ipcMain.invoke(ok, 'chat:list', JSON.parse('{"query":"a","__proto__":{"polluted":1}}'))).toMatchObject({
      ok: false,
      error: { code: 'BAD_REQUEST' },
    });
    expect(await e.ipcMain.invoke(ok, 'app:info', 'not an object')).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(calls).toEqual([]);
    // Inside config:set's values too: the whole call is refused.
    expect(await e.ipcMain.invoke(ok, 'config:set', JSON.parse('{"values":{"__proto__":{"polluted":1}}}'))).toMatchObject({
      ok: false,
      error: { code: 'BAD_REQUEST' },
    });
    expect(await e.ipcMain.invoke(ok, 'config:set', JSON.parse('{"values":{"VEGA_MODEL":"x","__proto__":"y"}}'))).toMatchObject({
      ok: false,
      error: { code: 'BAD_REQUEST' },
    });
    expect(calls).toEqual([]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('events', () => {
  const token: ChatEvent = { type: 'token', conversationId: 'c1', messageId: 'm1', text: 'hi' };

  it('reach our window only, and stop (and unsubscribe) when it closes', async () => {
    const e = createFakeElectron();
    e.app.makeReady();
    const win = new e.BrowserWindow({});
    const other = e.createContents();
    const hub = new EventHub();
    forwardEvents(hub, win);
    for (const name of EVENT_NAMES) expect(hub.listenerCount(name)).toBe(1);
    hub.emit('chat:event', token);
    const wc = e.windows[0]!.webContents;
    expect(wc.sent).toEqual([{ channel: 'chat:event', args: [token] }]);
    expect(other.sent).toEqual([]);

    e.windows[0]!.close();
    for (const name of EVENT_NAMES) expect(hub.listenerCount(name)).toBe(0);
    hub.emit('chat:event', token);
    expect(wc.sent).toHaveLength(1);
  });

  it('a webContents destroyed before closed fires is not sent to', () => {
    const e = createFakeElectron();
    e.app.makeReady();
    const win = new e.BrowserWindow({});
    const hub = new EventHub();
    forwardEvents(hub, win);
    e.windows[0]!.webContents.destroyed = true;
    expect(() => hub.emit('chat:event', token)).not.toThrow();
    expect(e.windows[0]!.webContents.sent).toEqual([]);
  });
});
