import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { tempWebHost, type TempWebHost } from '../helpers/web.js';
import { connectApi } from '../helpers/ws-client.js';
import { eventually } from '../helpers/servers.js';

let w: TempWebHost;
beforeEach(async () => {
  w = await tempWebHost('', { tickMs: 50 });
});
afterEach(async () => w.dispose());

function rejectedStatus(url: string): Promise<number | 'open'> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url);
    ws.once('open', () => {
      ws.close();
      resolve('open');
    });
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.once('error', () => undefined);
  });
}

describe('the contract over one WebSocket', () => {
  it('requires the token', async () => {
    const base = w.host.url.replace('http', 'ws');
    expect(await rejectedStatus(`${base}/ws`)).toBe(401);
    expect(await rejectedStatus(`${base}/ws?token=wrong`)).toBe(401);
    expect(await rejectedStatus(`${base}/elsewhere?token=${w.key}`)).toBe(404);
    expect(await rejectedStatus(`${base}/ws?token=${w.key}`)).toBe('open');
  });

  it('answers calls and pushes snapshots to every socket', async () => {
    const a = await connectApi(w.host.url, w.key);
    const b = await connectApi(w.host.url, w.key);
    const info = await a.api.app.info();
    expect(info.host).toBe('web');
    expect((await a.api.resources.health()).status).toBe('healthy');
    const seen = { a: 0, b: 0 };
    const offA = a.api.resources.onSnapshot(() => seen.a++);
    b.api.resources.onSnapshot(() => seen.b++);
    await eventually(() => seen.a >= 2 && seen.b >= 2, 3000, 'snapshots');
    offA();
    const frozen = seen.a;
    await eventually(() => seen.b >= frozen + 3, 3000, 'more snapshots for b');
    expect(seen.a).toBe(frozen);
    await a.close();
    await b.close();
  });

  it('turns bad frames into typed errors and stays up', async () => {
    const c = await connectApi(w.host.url, w.key);
    expect(await c.raw('not json')).toMatchObject({ id: -1, ok: false, error: { code: 'BAD_REQUEST' } });
    expect(await c.raw(JSON.stringify({ id: 7, channel: 'app:info', params: {}, extra: 1 }))).toMatchObject({
      id: 7,
      ok: false,
      error: { code: 'BAD_REQUEST' },
    });
    expect(await c.raw(JSON.stringify({ id: 8, channel: 'no:such', params: {} }))).toMatchObject({
      id: 8,
      ok: false,
      error: { code: 'UNKNOWN_CHANNEL' },
    });
    expect(await c.raw(JSON.stringify({ id: 9, channel: 'chat:get', params: { conversationId: 5 } }))).toMatchObject({
      id: 9,
      ok: false,
      error: { code: 'BAD_REQUEST' },
    });
    expect(await c.raw('{"id":10,"channel":"resources:health","params":{"__proto__":{"x":1}}}')).toMatchObject({
      id: 10,
      ok: false,
      error: { code: 'BAD_REQUEST' },
    });
    expect(await c.raw(JSON.stringify({ id: 11, channel: 'constructor', params: {} }))).toMatchObject({
      id: 11,
      ok: false,
      error: { code: 'UNKNOWN_CHANNEL' },
    });
    expect((await c.api.resources.health()).status).toBe('healthy');
    await c.close();
  });

  it('config:get never sends a secret; config:set validates per field and writes the .env', async () => {
    const c = await connectApi(w.host.url, w.key);
    const entries = await c.api.config.get();
    const key = entries.find((e) => e.key === 'VEGA_API_KEY');
    expect(key).toMatchObject({ secret: true, set: true, value: '' });
    expect(JSON.stringify(entries)).not.toContain(w.key);
    const bad = await c.api.config.set({ values: { VEGA_PORT: 'abc', OLLAMA_HOST: 'ftp://x' } });
    expect(bad.saved).toBe(false);
    expect(bad.errors.VEGA_PORT).toMatch(/VEGA_PORT="abc" .*not an integer/);
    expect(bad.errors.OLLAMA_HOST).toMatch(/http/);
    const good = await c.api.config.set({ values: { VEGA_MODEL: 'qwen2.5' } });
    expect(good).toEqual({ saved: true, errors: {} });
    expect((await w.app.rm.config.get()).string('VEGA_MODEL')).toBe('qwen2.5');
    expect((await w.app.rm.config.get()).string('VEGA_API_KEY')).toBe(w.key);
    await c.close();
  });

  it('closes sockets with going-away on host close', async () => {
    const c = await connectApi(w.host.url, w.key);
    const code = new Promise<number>((resolve) => c.ws.once('close', (code) => resolve(code)));
    await w.host.close();
    expect(await code).toBe(1001);
  });
});

describe('the WebSocket door', () => {
  it('drops a socket whose peer stopped answering pings, and its listeners', async () => {
    // The heartbeat on a fake clock: each beat is a step of the test, so a busy machine cannot make a live socket miss one.
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const w2 = await tempWebHost('', { heartbeatMs: 100 });
    try {
      const c = await connectApi(w2.host.url, w2.key);
      const alive = await connectApi(w2.host.url, w2.key);
      expect(w2.app.events.listenerCount('chat:event')).toBe(2);
      // A peer that vanished: its socket reads nothing, so no pong comes back.
      (c.ws as unknown as { _socket: { pause(): void } })._socket.pause();
      const beat = async () => {
        const pinged = new Promise((r) => alive.ws.once('ping', r));
        vi.advanceTimersByTime(100);
        await pinged;
        // The live socket's pong left before this call: once it is answered, the host has the pong.
        await alive.api.app.info();
      };
      await beat();
      await beat();
      await eventually(() => w2.app.events.listenerCount('chat:event') === 1, 3_000, 'the dead socket to be dropped');
      for (let i = 0; i < 3; i++) await beat();
      expect(w2.app.events.listenerCount('chat:event')).toBe(1);
      await alive.close();
      c.ws.terminate();
    } finally {
      vi.useRealTimers();
      await w2.dispose();
    }
  });

  it('refuses a page from another site even with the right token', async () => {
    const w2 = await tempWebHost();
    try {
      const status = await new Promise<number | 'open'>((resolve) => {
        const ws = new WebSocket(`${w2.host.url.replace('http', 'ws')}/ws?token=${w2.key}`, { headers: { origin: 'http://evil.example' } });
        ws.once('open', () => {
          ws.close();
          resolve('open');
        });
        ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.once('error', () => undefined);
      });
      expect(status).toBe(403);
    } finally {
      await w2.dispose();
    }
  });
});
