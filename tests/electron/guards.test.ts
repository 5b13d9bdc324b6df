import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { denyPermissions, guardAllWebContents, isExternalWebUrl } from '../../src-main/electron/guards.js';
import { createFakeElectron, fakeEvent } from './fake-electron.js';

const logger = pino({ level: 'silent' });

function guarded() {
  const e = createFakeElectron();
  e.app.makeReady();
  guardAllWebContents(e.app, e.shell, logger);
  return { e, wc: e.createContents() };
}

describe('navigation guards', () => {
  it('every new webContents gets them (web-contents-created)', () => {
    const { e, wc } = guarded();
    const other = e.createContents();
    for (const c of [wc, other]) {
      expect(c.listenerCount('will-navigate')).toBe(1);
      expect(c.listenerCount('will-redirect')).toBe(1);
      expect(c.listenerCount('will-attach-webview')).toBe(1);
      expect(c.windowOpenHandler).toBeTypeOf('function');
    }
  });

  it('navigation to a foreign origin is prevented; app://vega/ is allowed', () => {
    const { wc } = guarded();
    expect(wc.attempt('will-navigate', 'https://evil.example/')).toBe(true);
    expect(wc.attempt('will-navigate', 'file:///etc/passwd')).toBe(true);
    expect(wc.attempt('will-navigate', 'app://vega.evil/index.html')).toBe(true);
    expect(wc.attempt('will-navigate', 'app://other/index.html')).toBe(true);
    expect(wc.attempt('will-frame-navigate', 'https://evil.example/')).toBe(true);
    expect(wc.attempt('will-navigate', 'app://vega/index.html')).toBe(false);
    expect(wc.attempt('will-navigate', 'app://vega/index.html#/settings')).toBe(false);
  });

  it('redirects away from app://vega/ are prevented', () => {
    const { wc } = guarded();
    expect(wc.attempt('will-redirect', 'http://127.0.0.1:1/')).toBe(true);
    expect(wc.attempt('will-redirect', 'app://vega/index.html')).toBe(false);
  });

  it('a <webview> is refused', () => {
    const { wc } = guarded();
    const ev = fakeEvent();
    wc.emit('will-attach-webview', ev, {}, { src: 'https://evil.example/' });
    expect(ev.defaultPrevented).toBe(true);
  });
});

describe('window.open', () => {
  it('is always denied; http(s) links go to the OS browser', async () => {
    const { e, wc } = guarded();
    expect(wc.open('https://ollama.com/library')).toEqual({ action: 'deny' });
    expect(wc.open('http://example.org/a?b=c')).toEqual({ action: 'deny' });
    expect(e.shell.opened).toEqual(['https://ollama.com/library', 'http://example.org/a?b=c']);
  });

  it('never hands other schemes to the OS', () => {
    const { e, wc } = guarded();
    for (const url of [
      'file:///etc/passwd',
      'javascript:alert(1)',
      'smb://host/share',
      'data:text/html,<b>x</b>',
      'vbscript:x',
      'ms-msdt:/id',
      'app://vega/index.html',
      'not a url',
      'https:',
    ]) {
      expect(wc.open(url)).toEqual({ action: 'deny' });
    }
    expect(e.shell.opened).toEqual([]);
    expect(isExternalWebUrl('HTTPS://Example.org')).toBe(true);
  });
});

describe('permissions', () => {
  it('requests and checks are denied by default', async () => {
    const e = createFakeElectron();
    denyPermissions(e.session.defaultSession, logger);
    const s = e.session.defaultSession;
    for (const p of ['media', 'geolocation', 'notifications', 'openExternal', 'clipboard-read', 'hid', 'unknown']) {
      expect(await s.request(p, 'app://vega/index.html')).toBe(false);
      expect(s.check(p, 'app://vega')).toBe(false);
    }
  });

  it('only our own page may write to the clipboard (copy buttons)', async () => {
    const e = createFakeElectron();
    denyPermissions(e.session.defaultSession, logger);
    const s = e.session.defaultSession;
    expect(await s.request('clipboard-sanitized-write', 'app://vega/index.html')).toBe(true);
    expect(s.check('clipboard-sanitized-write', 'app://vega')).toBe(true);
    expect(await s.request('clipboard-sanitized-write', 'https://evil.example/')).toBe(false);
    expect(s.check('clipboard-sanitized-write', 'https://evil.example')).toBe(false);
  });
});
