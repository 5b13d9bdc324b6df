import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSP, registerAppScheme, resolveAppPath, serveRenderer } from '../../src-main/electron/protocol.js';
import { createFakeElectron, type FakeElectron } from './fake-electron.js';
import { tempDir, writeRenderer } from './harness.js';

let dir: string;
let root: string;
let e: FakeElectron;

beforeAll(() => {
  dir = tempDir();
  root = writeRenderer(dir);
  writeFileSync(path.join(dir, 'secret.txt'), 'outside');
  mkdirSync(path.join(root, 'sub'));
  symlinkSync(path.join(dir, 'secret.txt'), path.join(root, 'sub', 'link.txt'));
  e = createFakeElectron();
  registerAppScheme(e.protocol);
  e.app.makeReady();
  serveRenderer(e.protocol, root);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the app:// scheme', () => {
  it('is registered before ready as standard and secure, without bypassing CSP', () => {
    expect(e.protocol.privileged).toHaveLength(1);
    const s = e.protocol.privileged![0]!;
    expect(s.scheme).toBe('app');
    expect(s.privileges?.standard).toBe(true);
    expect(s.privileges?.secure).toBe(true);
    expect(s.privileges?.bypassCSP).toBeFalsy();
    // Electron refuses a registration after ready; so does the fake.
    expect(() => registerAppScheme(e.protocol)).toThrow(/before app is ready/);
  });

  it('serves index.html with its MIME type and the strict CSP', async () => {
    const res = await e.protocol.request('app://vega/index.html');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'",
    );
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await res.text()).toContain('<title>Vega</title>');
    expect((await e.protocol.request('app://vega/')).status).toBe(200);
  });

  it('gives each asset its MIME type', async () => {
    const types: Record<string, string> = {
      'app://vega/assets/index.js': 'text/javascript; charset=utf-8',
      'app://vega/assets/index.css': 'text/css; charset=utf-8',
      'app://vega/assets/logo.svg': 'image/svg+xml',
    };
    for (const [url, type] of Object.entries(types)) {
      const res = await e.protocol.request(url);
      expect(res.status, url).toBe(200);
      expect(res.headers.get('content-type'), url).toBe(type);
      expect(res.headers.get('content-security-policy')).toBe(CSP);
    }
  });

  it('refuses path traversal however it is spelt', async () => {
    for (const url of [
      'app://vega/../../etc/passwd',
      'app://vega/%2e%2e/%2e%2e/etc/passwd',
      'app://vega/..%2f..%2fetc%2fpasswd',
      'app://vega/assets/..%2f..%2fsecret.txt',
      'app://vega/..%5c..%5csecret.txt',
      'app://vega/index.html%00.js',
      'app://vega/%E0%A4%A',
    ]) {
      const res = await e.protocol.request(url);
      expect([403, 404], url).toContain(res.status);
      expect(await res.text(), url).not.toMatch(/root:|outside/);
    }
    expect(resolveAppPath(root, 'app://vega/..%2f..%2fetc%2fpasswd')).toBeNull();
  });

  it('refuses a symlink that leads out of the renderer folder', async () => {
    expect((await e.protocol.request('app://vega/sub/link.txt')).status).toBe(403);
  });

  it('serves no other host, and nothing but GET/HEAD', async () => {
    for (const url of ['app://other/index.html', 'app://vega.evil/index.html', 'app://vega:81/index.html']) {
      expect((await e.protocol.request(url)).status, url).toBe(403);
    }
    // (A Request cannot even carry credentials; the resolver refuses them anyway.)
    expect(resolveAppPath(root, 'app://user:pw@vega/index.html')).toBeNull();
    expect(resolveAppPath(root, 'https://vega/index.html')).toBeNull();
    expect((await e.protocol.request('app://vega/index.html', { method: 'POST', body: 'x' })).status).toBe(405);
    const head = await e.protocol.request('app://vega/index.html', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('answers 404 for a missing file or a folder', async () => {
    expect((await e.protocol.request('app://vega/nope.js')).status).toBe(404);
    expect((await e.protocol.request('app://vega/assets')).status).toBe(404);
  });
});
