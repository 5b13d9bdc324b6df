import net, { type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DeadlineError } from '../../src-main/engine/deadline.js';
import { errorCode, joinUrl, open, probe, send, transportError, type Peer } from '../../src-main/engine/outbound/index.js';
import { VegaError } from '../../src-shared/errors.js';
import { tempEngine, type TempEngine } from '../helpers/engine.js';
import { startCountingServer, type CountingServer } from '../helpers/servers.js';

let engine: TempEngine | undefined;
let server: CountingServer | undefined;
let raw: net.Server | undefined;

afterEach(async () => {
  await engine?.dispose();
  await server?.close();
  await new Promise<void>((resolve) => (raw ? raw.close(() => resolve()) : resolve()));
  engine = server = raw = undefined;
});

const peer = (url: string): Peer => ({
  name: 'The stand-in',
  url,
  timeoutS: 30,
  timeoutKey: 'VEGA_HTTP_TIMEOUT_S',
  startHint: 'start the stand-in',
});

/** A port on 127.0.0.1 where nothing listens: taken, then given back. */
async function refusedUrl(): Promise<string> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

/** A raw TCP server that does `onRequest` with each connection once a request arrives. */
async function startRaw(onRequest: (socket: net.Socket) => void): Promise<string> {
  raw = net.createServer((socket) => {
    socket.on('error', () => {});
    socket.once('data', () => onRequest(socket));
  });
  await new Promise<void>((resolve) => raw!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(raw.address() as AddressInfo).port}`;
}

async function failure(p: Promise<unknown>): Promise<VegaError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(VegaError);
  return err as VegaError;
}

describe('transport failures on real sockets', () => {
  it('a refused port → PROVIDER_UNREACHABLE naming the address and the fix', async () => {
    engine = await tempEngine();
    const url = await refusedUrl();
    const err = await failure(send(engine.rm.httpClient(), peer(url), { url: new URL(`${url}/x`) }));
    expect(err.code).toBe('PROVIDER_UNREACHABLE');
    expect(err.message).toBe(`The stand-in is not reachable at ${url} — start the stand-in`);
  });

  it('a server that resets the connection before answering → PROVIDER_UNREACHABLE saying so, for a POST and for a retried GET', async () => {
    engine = await tempEngine();
    const url = await startRaw((socket) => socket.resetAndDestroy());
    for (const method of ['POST', 'GET'] as const) {
      const err = await failure(
        open(engine.rm.httpClient(), peer(url), { method, url: new URL(`${url}/x`), body: method === 'POST' ? '{}' : undefined }),
      );
      expect(err.code, method).toBe('PROVIDER_UNREACHABLE');
      expect(err.message, method).toBe(
        `The stand-in at ${url} closed the connection before answering — try again; if it keeps happening, start the stand-in`,
      );
    }
  });

  it('a GET cut after its headers (the retry cannot resume it) → the connection closed mid-answer, not undici’s text', async () => {
    engine = await tempEngine();
    const url = await startRaw((socket) => {
      socket.write('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"par');
      setImmediate(() => socket.resetAndDestroy());
    });
    const err = await failure(send(engine.rm.httpClient(), peer(url), { url: new URL(`${url}/x`) }));
    expect(err.code).toBe('PROVIDER_ERROR');
    expect(err.message).toBe('The stand-in closed the connection in the middle of the answer — try again.');
  });

  it("the caller's stop → ABORTED; a deadline that passed → TIMEOUT with its bound", async () => {
    engine = await tempEngine();
    server = await startCountingServer(() => {
      /* never answers */
    });
    const stop = new AbortController();
    const pending = failure(open(engine.rm.httpClient(), peer(server.url), { url: new URL(`${server.url}/x`), signal: stop.signal }));
    stop.abort();
    expect(await pending).toMatchObject({ code: 'ABORTED', message: 'Stopped.' });

    const late = new AbortController();
    const timedOut = failure(open(engine.rm.httpClient(), peer(server.url), { url: new URL(`${server.url}/y`), signal: late.signal }));
    late.abort(new DeadlineError(1500));
    expect(await timedOut).toMatchObject({
      code: 'TIMEOUT',
      message: `The stand-in at ${server.url} did not finish answering within 1.5 s.`,
    });
  });
});

describe('errorCode and transportError', () => {
  const coded = (code: string): Error => Object.assign(new Error(code), { code });

  it('finds the code on the error, down its cause chain, or among an AggregateError’s errors', () => {
    expect(errorCode(coded('ECONNRESET'))).toBe('ECONNRESET');
    expect(errorCode(new TypeError('fetch failed', { cause: coded('ENOTFOUND') }))).toBe('ENOTFOUND');
    expect(errorCode(new Error('outer', { cause: new AggregateError([new Error('no code'), coded('ECONNREFUSED')]) }))).toBe(
      'ECONNREFUSED',
    );
    expect(errorCode(new Error('none'))).toBeUndefined();
    expect(errorCode('ECONNRESET')).toBeUndefined();
  });

  it('says what happened by phase: refused, dropped, cut mid-stream, slow to start, stalled', () => {
    const p = { ...peer('http://127.0.0.1:1'), slowStart: 'a model still loading?' };
    expect(transportError(new AggregateError([coded('ECONNREFUSED'), coded('ECONNREFUSED')]), p, 'request').code).toBe(
      'PROVIDER_UNREACHABLE',
    );
    expect(transportError(coded('UND_ERR_REQ_RETRY'), p, 'request').message).toMatch(/closed the connection before answering/);
    expect(transportError(coded('UND_ERR_SOCKET'), p, 'stream').message).toBe(
      'The stand-in closed the connection in the middle of the answer — check its log; the part received is kept.',
    );
    expect(transportError(coded('UND_ERR_BODY_TIMEOUT'), p, 'headers').message).toBe(
      'The stand-in did not start answering within 30 s (a model still loading?) — raise VEGA_HTTP_TIMEOUT_S (now 30 s) if it is just slow.',
    );
    expect(transportError(coded('UND_ERR_BODY_TIMEOUT'), p, 'body').message).toMatch(
      /^The stand-in stopped sending its answer for 30 s — raise VEGA_HTTP_TIMEOUT_S/,
    );
    const mine = new VegaError('PAYLOAD_TOO_LARGE', 'too big');
    expect(transportError(mine, p, 'body')).toBe(mine);
  });
});

describe('probe: one rule for "reachable"', () => {
  it('a server that answers, even with a 500, is reachable; a refused port is not', async () => {
    engine = await tempEngine();
    const rm = engine.rm;
    server = await startCountingServer((_req, res) => {
      res.statusCode = 500;
      res.end('broken');
    });
    const url = server.url;
    const answered = await probe(2_000, async (signal) => {
      const reply = await send(rm.httpClient(), peer(url), { url: new URL(`${url}/health`), signal });
      if (reply.status !== 200) throw new VegaError('PROVIDER_ERROR', `The stand-in answered HTTP ${reply.status}.`);
    });
    expect(answered).toMatchObject({ reachable: true, lastError: 'The stand-in answered HTTP 500.' });
    expect(answered.latencyMs).toBeGreaterThanOrEqual(0);

    const refused = await refusedUrl();
    const down = await probe(2_000, (signal) => send(rm.httpClient(), peer(refused), { url: new URL(`${refused}/health`), signal }));
    expect(down).toMatchObject({ reachable: false, latencyMs: null });
    expect(down.lastError).toMatch(/is not reachable at/);
  });

  it('a server that never answers is cut at the bound, even by a check that ignores its signal', async () => {
    engine = await tempEngine();
    const rm = engine.rm;
    server = await startCountingServer(() => {
      /* never answers */
    });
    const url = server.url;
    const [honours, ignores] = await Promise.all([
      probe(200, (signal) => send(rm.httpClient(), peer(url), { url: new URL(`${url}/a`), signal })),
      probe(200, () => send(rm.httpClient(), peer(url), { url: new URL(`${url}/b`) })),
    ]);
    for (const r of [honours, ignores]) expect(r).toEqual({ reachable: false, latencyMs: null, lastError: 'No answer within 0.2 s.' });
  });
});

describe('joinUrl', () => {
  it('keeps the base path prefix, with or without its trailing slash, and drops its query', () => {
    expect(joinUrl(new URL('http://h:1'), 'api/chat').href).toBe('http://h:1/api/chat');
    expect(joinUrl(new URL('https://h/ollama'), 'api/chat').href).toBe('https://h/ollama/api/chat');
    expect(joinUrl(new URL('https://h/v1/'), 'models').href).toBe('https://h/v1/models');
    expect(joinUrl(new URL('https://h/ha?x=1#f'), '/api/states').href).toBe('https://h/ha/api/states');
  });
});
