import { afterEach, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { eventually, selfSignedCert, startCountingServer, type CountingServer } from '../helpers/servers.js';
import { tempEngine, type TempEngine } from '../helpers/engine.js';

let server: CountingServer | undefined;
let engine: TempEngine | undefined;

afterEach(async () => {
  await engine?.dispose();
  await server?.close();
  engine = server = undefined;
});

async function get(e: TempEngine, url: string): Promise<number> {
  const res = await request(url, { dispatcher: e.rm.httpClient() });
  await res.body.text();
  return res.statusCode;
}

for (const scheme of ['http', 'https'] as const) {
  describe(`pooled client over ${scheme}`, () => {
    async function setup(maxConnections: number): Promise<{ e: TempEngine; s: CountingServer }> {
      const tls = scheme === 'https' ? await selfSignedCert() : undefined;
      server = await startCountingServer(undefined, tls);
      engine = await tempEngine({ http: { maxConnections, tls: tls ? { ca: tls.cert } : undefined } });
      return { e: engine, s: server };
    }

    it('50 sequential requests to one origin open one connection', async () => {
      const { e, s } = await setup(100);
      for (let i = 0; i < 50; i++) {
        expect(await get(e, `${s.url}/seq/${i}`)).toBe(200);
        // Callers in an app are an event-loop turn apart (a click, an IPC
        // message); undici hands the socket back to the pool in that turn.
        await new Promise((r) => setImmediate(r));
      }
      expect(s.accepted()).toBe(1);
      const stats = e.rm.stats();
      expect(stats.httpRequestsMade).toBe(50);
      expect(stats.connectionsOpened).toBe(1);
      expect(stats.httpClientsCreated).toBe(1);
    });

    it('50 back-to-back awaited requests open at most two connections', async () => {
      const { e, s } = await setup(100);
      for (let i = 0; i < 50; i++) expect(await get(e, `${s.url}/b2b/${i}`)).toBe(200);
      // The body ends a tick before undici frees its socket, so the second
      // request may take a second socket; from then on the two are reused.
      expect(s.accepted()).toBeLessThanOrEqual(2);
      expect(e.rm.stats().connectionsOpened).toBe(s.accepted());
    });

    it('500 concurrent requests never open more than the limit and all complete', async () => {
      const { e, s } = await setup(10);
      const codes = await Promise.all(Array.from({ length: 500 }, (_, i) => get(e, `${s.url}/c/${i}`)));
      expect(codes.filter((c) => c === 200)).toHaveLength(500);
      expect(s.accepted()).toBeLessThanOrEqual(10);
      expect(s.peakOpen()).toBeLessThanOrEqual(10);
      const origin = e.rm.origins().find((o) => o.origin === s.url);
      expect(origin?.requests).toBe(500);
      expect(origin?.pool.running).toBe(0);
      expect(origin?.pool.pending).toBe(0);
      expect(origin?.totalMs.p50).toBeGreaterThan(0);
    });

    it('after shutdown the server sees every connection closed', async () => {
      const { e, s } = await setup(10);
      await Promise.all(Array.from({ length: 40 }, (_, i) => get(e, `${s.url}/x/${i}`)));
      expect(s.open()).toBeGreaterThan(0);
      await e.rm.shutdown();
      await eventually(() => s.open() === 0, 3_000, 'server-side sockets to close');
      expect(e.rm.stats().connectionsClosed).toBe(e.rm.stats().connectionsOpened);
      expect(e.rm.health().status).toBe('unhealthy');
      expect(() => e.rm.httpClient()).toThrow(/shutting down/);
    });
  });
}

describe('one client for the life of the process', () => {
  it('http_clients_created stays 1 across many callers', async () => {
    server = await startCountingServer();
    engine = await tempEngine();
    const e = engine;
    const s = server;
    await Promise.all(Array.from({ length: 20 }, (_, i) => get(e, `${s.url}/d/${i}`)));
    expect(e.rm.stats().httpClientsCreated).toBe(1);
  });

  it('does not count Node global fetch traffic as ours', async () => {
    server = await startCountingServer();
    engine = await tempEngine();
    await get(engine, `${server.url}/ours`);
    // The test itself may use Node's fetch; the engine must not count it.
    await (await globalThis.fetch(`${server.url}/theirs`)).text();
    expect(engine.rm.stats().connectionsOpened).toBe(1);
    expect(engine.rm.stats().httpRequestsMade).toBe(1);
  });

  it('keeps the recent requests newest first, with the request id and without the query', async () => {
    server = await startCountingServer();
    engine = await tempEngine();
    for (let i = 0; i < 3; i++) {
      const res = await request(`${server.url}/r/${i}?token=secret`, {
        dispatcher: engine.rm.httpClient(),
        headers: { 'x-request-id': `req-${i}` },
      });
      await res.body.text();
    }
    const recent = engine.rm.recentRequests();
    expect(recent.map((r) => r.requestId)).toEqual(['req-2', 'req-1', 'req-0']);
    expect(recent[0]).toMatchObject({ method: 'GET', origin: server.url, path: '/r/2', status: 200, bytes: 11, error: null });
    expect(JSON.stringify(recent)).not.toContain('secret');
  });

  it('counts a request composed on top of the client (the controller handler API) as one request, with its status and bytes', async () => {
    server = await startCountingServer();
    engine = await tempEngine();
    const seen: number[] = [];
    const composed = engine.rm.httpClient().compose((dispatch) => (opts, handler) => {
      seen.push(1);
      return dispatch(opts, handler);
    });
    const res = await request(`${server.url}/composed`, { dispatcher: composed, method: 'POST', body: 'x' });
    await res.body.text();
    expect(seen).toHaveLength(1);
    expect(engine.rm.stats()).toMatchObject({ httpRequestsMade: 1, httpRequestsFailed: 0, httpInFlight: 0 });
    expect(engine.rm.recentRequests()[0]).toMatchObject({ method: 'POST', path: '/composed', status: 200, bytes: 11, error: null });
  });

  it('counts failures: connection refused and 5xx', async () => {
    server = await startCountingServer((_req, res) => {
      res.statusCode = 503;
      res.end('down');
    });
    engine = await tempEngine();
    expect(await get(engine, `${server.url}/fail`)).toBe(503);
    const dead = await startCountingServer();
    const deadUrl = dead.url;
    await dead.close();
    await expect(get(engine, deadUrl)).rejects.toThrow();
    const st = engine.rm.stats();
    expect(engine.rm.recentRequests()[0]).toMatchObject({ status: 0, error: 'ECONNREFUSED' });
    expect(st.httpRequestsMade).toBe(2);
    expect(st.httpRequestsFailed).toBe(2);
    expect(st.httpInFlight).toBe(0);
  });
});

describe('shutdown with a request still streaming', () => {
  it('cuts it after a short grace: the server sees the socket closed', async () => {
    server = await startCountingServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      const timer = setInterval(() => res.write('tick\n'), 20);
      res.on('close', () => clearInterval(timer));
    });
    engine = await tempEngine();
    const res = await request(`${server.url}/stream`, { dispatcher: engine.rm.httpClient() });
    const reading = res.body.text().catch((err: unknown) => err);
    await eventually(() => server!.open() === 1, 2_000, 'the stream to open');
    await engine.rm.shutdown();
    await eventually(() => server!.open() === 0, 2_000, 'the streaming socket to close');
    expect(await reading).toBeInstanceOf(Error);
  });
});
