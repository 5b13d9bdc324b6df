import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVegaApp, type VegaApp } from '../../src-main/app/create-app.js';
import { AuthBackoff } from '../../src-main/web/auth-backoff.js';
import { startWebHost, type WebHost } from '../../src-main/web/host.js';
import { until, within } from '../helpers/fault-kit.js';
import { startOllamaStandIn, type OllamaStandIn } from '../helpers/ollama-standin.js';
import { rawRequest, upgradeHead } from '../helpers/raw-http.js';

// Issue 15, the web host's doors: items 1 (Host names), 6 (404 text),
// 7 (symlinks out of the static root), 9 (a body that never ends) and 10
// (CSP, source maps, repeated 401s). Real sockets on 127.0.0.1 only.

const KEY = 'hardening-key-5b0c7e21d9';
const REQUEST_TIMEOUT_MS = 600;

let dir = '';
let outside = '';
let app: VegaApp;
let host: WebHost;
let ollama: OllamaStandIn;

beforeAll(async () => {
  ollama = await startOllamaStandIn();
  dir = mkdtempSync(path.join(os.tmpdir(), 'vega-hardening-web-'));
  const staticDir = path.join(dir, 'renderer');
  outside = path.join(dir, 'outside');
  mkdirSync(path.join(staticDir, 'assets'), { recursive: true });
  mkdirSync(outside);
  writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>Vega</title>');
  writeFileSync(path.join(staticDir, 'assets', 'app.js'), 'console.log(1)\n//# sourceMappingURL=app.js.map');
  writeFileSync(path.join(staticDir, 'assets', 'app.js.map'), '{"version":3,"sources":["src-renderer/secret-plan.ts"]}');
  writeFileSync(path.join(outside, 'private.txt'), 'OUTSIDE-THE-ROOT');
  symlinkSync(path.join(outside, 'private.txt'), path.join(staticDir, 'assets', 'leak.txt'));
  symlinkSync(outside, path.join(staticDir, 'assets', 'out'));
  symlinkSync(path.join(outside, 'private.txt'), path.join(staticDir, 'leak'));
  writeFileSync(path.join(dir, '.env'), `VEGA_API_KEY=${KEY}\nOLLAMA_HOST=${ollama.url}\n`);
  app = await createVegaApp({ host: 'web', envFile: path.join(dir, '.env'), env: { VEGA_DATA_DIR: path.join(dir, 'data') } });
  host = await startWebHost({ app, port: 0, host: '127.0.0.1', staticDir, requestTimeoutMs: REQUEST_TIMEOUT_MS });
}, 30_000);

afterAll(async () => {
  await host?.close();
  await app?.rm.shutdown();
  await ollama?.close();
  rmSync(dir, { recursive: true, force: true });
});

const health = (hostHeader: string) =>
  rawRequest(host.port, `GET /admin/resources/health HTTP/1.1\nHost: ${hostHeader}\nX-API-Key: ${KEY}`);

describe('1. the DNS-rebinding check accepts only loopback literals, localhost and VEGA_HOST', () => {
  it('names that merely start like a loopback address get 421, on the API and on the socket', async () => {
    const port = host.port;
    for (const name of [
      `127.0.0.1.evil.com:${port}`,
      `127.0.0.1.nip.io:${port}`,
      '127.attacker.example',
      `[::1]evil:${port}`,
      `[::1].evil.com`,
      `localhost.evil.com:${port}`,
      `127.0.0.1:${port}@evil.com`,
      `127.0.0.1:80x`,
      '',
      'evil.com',
    ]) {
      const r = await health(name);
      expect(r.status, name).toBe(421);
      const ws = await rawRequest(port, upgradeHead(KEY, name));
      expect(ws.status, `upgrade with ${name}`).not.toBe(101);
    }
  });

  it('the exact loopback names, with or without the port, still get 200', async () => {
    for (const name of [`127.0.0.1:${host.port}`, '127.0.0.1', `localhost:${host.port}`, 'LOCALHOST', `[::1]:${host.port}`, '[::1]']) {
      expect((await health(name)).status, name).toBe(200);
    }
  });
});

describe('6. a 404 says nothing about the path', () => {
  it('a right and a wrong guess of the key in the path get byte-identical answers', async () => {
    const right = await rawRequest(host.port, `POST /${KEY}/x HTTP/1.1\nHost: 127.0.0.1\nContent-Length: 0`);
    const wrong = await rawRequest(host.port, `POST /${KEY.replace(/.$/, 'Q')}/x HTTP/1.1\nHost: 127.0.0.1\nContent-Length: 0`);
    expect(right.status).toBe(404);
    expect(right.body).toBe(wrong.body);
    expect(right.body).not.toMatch(/redacted|\/x/);
    const api = await rawRequest(host.port, `GET /admin/${KEY} HTTP/1.1\nHost: 127.0.0.1\nX-API-Key: ${KEY}`);
    expect(api.status).toBe(404);
    expect(api.body).toBe(right.body);
  });
});

describe('7. the static server stays inside its root', () => {
  it('a symlink to a file or a folder outside the root is not followed', async () => {
    for (const p of ['/assets/leak.txt', '/assets/out/private.txt', '/leak']) {
      const r = await request(`${host.url}${p}`);
      const text = await r.body.text();
      expect(text, p).not.toContain('OUTSIDE-THE-ROOT');
      expect(r.statusCode, p).not.toBe(500);
    }
    const ok = await request(`${host.url}/assets/app.js`);
    expect(ok.statusCode).toBe(200);
    await ok.body.text();
  });
});

describe('9. an authenticated body that never ends does not keep its socket', () => {
  it('a body sent a byte at a time is cut at the request bound; every socket closes', async () => {
    const sockets = Array.from({ length: 8 }, () => net.connect(host.port, '127.0.0.1'));
    const closed = sockets.map((s) => new Promise<void>((resolve) => s.once('close', () => resolve())));
    const drip = setInterval(() => sockets.forEach((s) => s.writable && s.write(' ')), 100);
    for (const s of sockets) {
      s.on('error', () => undefined);
      s.write(
        `POST /chat HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: ${KEY}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"prompt":`,
      );
    }
    try {
      await within(20_000, Promise.all(closed), 'every dripping socket closed');
    } finally {
      clearInterval(drip);
      sockets.forEach((s) => s.destroy());
    }
  });

  it('an answer that streams for longer than the bound is not cut (the bound is on the request, not the reply)', async () => {
    ollama.set({ tokenDelayMs: 150 });
    try {
      const r = await request(`${host.url}/chat`, {
        method: 'POST',
        headers: { 'x-api-key': KEY, 'content-type': 'application/json' },
        body: JSON.stringify({ prompt: 'one two three four five six seven eight', stream: true }),
      });
      const lines = (await r.body.text())
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { done: boolean; response: string; error?: unknown });
      expect(lines.at(-1)).toMatchObject({ done: true });
      expect(lines.at(-1)?.error).toBeUndefined();
      expect(lines.length).toBeGreaterThan(REQUEST_TIMEOUT_MS / 150);
    } finally {
      ollama.set({ tokenDelayMs: 0 });
    }
  });
});

describe('10. CSP, source maps and repeated 401s', () => {
  it("the page's CSP lets it connect to its own origin only", async () => {
    const r = await request(`${host.url}/`);
    await r.body.text();
    const csp = String(r.headers['content-security-policy']);
    expect(/connect-src ([^;]*)/.exec(csp)?.[1]).toBe("'self'");
  });

  it('source maps are never served, even with the key; the app itself is', async () => {
    for (const headers of [{}, { 'x-api-key': KEY }]) {
      const r = await request(`${host.url}/assets/app.js.map`, { headers });
      expect(await r.body.text()).not.toContain('secret-plan');
      expect(r.statusCode).toBe(404);
    }
    expect((await request(`${host.url}/assets/app.js`)).statusCode).toBe(200);
  });

  it('after a burst of wrong keys from one address its 401s wait; the right key and other addresses are not slowed', async () => {
    const wrong = (localAddress?: string) =>
      rawRequest(host.port, `GET /admin/resources/stats HTTP/1.1\nHost: 127.0.0.1\nX-API-Key: wrong-guess`, { localAddress });
    const order: string[] = [];
    const guesses = Array.from({ length: 30 }, (_, i) => wrong().then((r) => (order.push(`guess ${i}`), r)));
    // Sent once the burst is under way: the person's window with the right key, and another local address.
    await until(() => order.length > 0, 10_000, 'the first 401');
    const right = rawRequest(host.port, `GET /admin/resources/health HTTP/1.1\nHost: 127.0.0.1\nX-API-Key: ${KEY}`).then(
      (r) => (order.push('right key'), r),
    );
    const other = wrong('127.0.0.2').then((r) => (order.push('other address'), r));
    const answers = await within(20_000, Promise.all(guesses), 'the slowed guesses');
    expect((await right).status).toBe(200);
    expect((await other).status).toBe(401);
    expect(answers.every((a) => a.status === 401)).toBe(true);
    // The slowed guesses are answered after both.
    expect(order.indexOf('right key')).toBeLessThan(order.length - 5);
    expect(order.indexOf('other address')).toBeLessThan(order.length - 5);
  });

  it('guesses beyond what may wait at once are dropped unanswered, and the memory per address is bounded', async () => {
    const flood = await within(
      20_000,
      Promise.all(
        Array.from({ length: 60 }, () =>
          rawRequest(host.port, `GET /admin/resources/stats HTTP/1.1\nHost: 127.0.0.1\nX-API-Key: flood`, { localAddress: '127.0.0.3' }),
        ),
      ),
      'the flood',
    );
    expect(flood.filter((r) => r.status === 0).length).toBeGreaterThan(0);
    expect(flood.every((r) => r.status === 0 || r.status === 401)).toBe(true);

    const b = new AuthBackoff();
    for (let i = 0; i < 100_000; i++) b.failed(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, 0);
    expect(b.size).toBeLessThanOrEqual(AuthBackoff.MAX_ADDRESSES);
  });
});
