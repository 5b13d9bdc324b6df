import { performance } from 'node:perf_hooks';
import { Agent, request } from 'undici';
import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../src-shared/chat.js';
import { tempEngine } from '../helpers/engine.js';
import { countFds, getGc, isSocket, openFds, scale, settledHeap, until, within } from '../helpers/fault-kit.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-servers.js';
import { startOllamaStandIn, type OllamaStandIn } from '../helpers/ollama-standin.js';
import { tempWebHost, type TempWebHost } from '../helpers/web.js';
import { connectApi } from '../helpers/ws-client.js';

// 50 chat streams at once through the web host, on a pool limited to 10
// connections: all complete, the limit holds (counted by the server side),
// the queue drains, and afterwards no socket, descriptor or heap is left over.

const STREAMS = 50;
const LIMIT = 10;
const ROUNDS = scale(1, 4);
const MB = 1024 * 1024;

/** The engine's own log file stays open after shutdown (a known bug, reported): not counted as a leak here. */
const isLogFile = (t: string) => /\/logs\/vega\.\d+\.log/.test(t);

interface Setup {
  readonly ollama: OllamaStandIn;
  readonly proxy: FaultProxy;
  readonly w: TempWebHost;
  readonly client: Agent;
  dispose(): Promise<void>;
}

async function setup(): Promise<Setup> {
  const ollama = await startOllamaStandIn({ tokenDelayMs: 2 });
  // The proxy sits between Vega and the stand-in and counts connections exactly, peaks included.
  const proxy = await startFaultProxy(ollama.port);
  const w = await tempWebHost(`OLLAMA_HOST=${proxy.url}\nVEGA_HTTP_MAX_CONNECTIONS=${LIMIT}\n`, { tickMs: 100 });
  const client = new Agent({ connections: STREAMS + 10 });
  return {
    ollama,
    proxy,
    w,
    client,
    async dispose() {
      await client.close();
      await w.dispose();
      await proxy.close();
      await ollama.close();
    },
  };
}

const prompt = (round: number, i: number) => `round ${round} stream ${i}: ${Array.from({ length: 30 }, (_, k) => `w${k}`).join(' ')}`;

/** One POST /chat with stream: true, read to its last NDJSON line. */
async function stream(s: Setup, text: string): Promise<{ tokens: string; last: Record<string, unknown>; ms: number }> {
  const t0 = performance.now();
  const res = await request(`${s.w.host.url}/chat`, {
    method: 'POST',
    dispatcher: s.client,
    headers: { 'x-api-key': s.w.key, 'content-type': 'application/json' },
    body: JSON.stringify({ prompt: text, stream: true }),
  });
  const lines = (await res.body.text())
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  return {
    tokens: lines
      .slice(0, -1)
      .map((l) => l.response)
      .join(''),
    last: lines.at(-1)!,
    ms: performance.now() - t0,
  };
}

async function round(s: Setup, r: number): Promise<{ ms: number; p50: number; max: number }> {
  const t0 = performance.now();
  const results = await within(
    30_000,
    Promise.all(Array.from({ length: STREAMS }, (_, i) => stream(s, prompt(r, i)))),
    `${STREAMS} streams`,
  );
  const ms = performance.now() - t0;
  results.forEach((res, i) => {
    // All complete (a failure would have to be a typed error line; none is expected here).
    expect(res.last.error, JSON.stringify(res.last)).toBeUndefined();
    expect(res.last).toMatchObject({ done: true, response: '', partial: false });
    expect(res.tokens).toBe(`You said: ${prompt(r, i)}`);
  });
  const times = results.map((x) => x.ms).sort((a, b) => a - b);
  return { ms, p50: times[Math.floor(times.length / 2)]!, max: times.at(-1)! };
}

describe(`load: ${STREAMS} concurrent chat streams on a pool of ${LIMIT}`, () => {
  it('all complete, the limit holds, the queue drains; afterwards no leaked socket, descriptor or heap', async () => {
    const gc = getGc();
    // Warm-up: load every module and JIT the paths once, so the baseline is not the first use.
    const warm = await setup();
    await Promise.all(Array.from({ length: 5 }, (_, i) => stream(warm, `warm ${i}`)));
    await warm.dispose();
    await new Promise((r) => setTimeout(r, 100));

    const fdsBefore = countFds((t) => !isLogFile(t));
    const socketsBefore = countFds(isSocket);
    const heapBefore = gc ? await settledHeap(gc) : undefined;

    const s = await setup();
    const figures: string[] = [];
    // Sample the pool while it works: the queue must fill (40 streams wait for a connection) and then drain.
    let maxQueued = 0;
    const sampler = setInterval(() => {
      const p = s.w.app.rm.origins().find((o) => o.origin === s.proxy.url)?.pool;
      if (p) maxQueued = Math.max(maxQueued, p.pending);
    }, 5);
    try {
      for (let r = 0; r < ROUNDS; r++) {
        const f = await round(s, r);
        figures.push(
          `round ${r + 1}: ${STREAMS} streams in ${Math.round(f.ms)} ms (p50 ${Math.round(f.p50)} ms, max ${Math.round(f.max)} ms)`,
        );
      }
    } finally {
      clearInterval(sampler);
    }
    expect(maxQueued, 'streams waiting for a connection at the busiest moment').toBeGreaterThan(0);
    figures.push(`up to ${maxQueued} streams queued for a connection`);

    // Over the WebSocket as well: 50 conversations answered at once through chat:send.
    const api = await connectApi(s.w.host.url, s.w.key);
    const convs = await Promise.all(Array.from({ length: STREAMS }, (_, i) => api.api.chat.create({ title: `ws ${i}` })));
    const done = new Map<string, ChatMessage>();
    api.api.chat.onEvent((e) => void (e.type === 'done' && done.set(e.conversationId, e.message)));
    await Promise.all(convs.map((c, i) => api.api.chat.send({ conversationId: c.id, text: `over ws ${i}` })));
    await until(() => done.size === STREAMS, 20_000, 'every answer over the socket');
    convs.forEach((c, i) => expect(done.get(c.id)?.content).toBe(`You said: over ws ${i}`));
    await api.close();

    // The limit, counted on the server side of the proxy.
    expect(s.proxy.peak()).toBeLessThanOrEqual(LIMIT);
    expect(s.proxy.peak()).toBeGreaterThan(1);
    const rm = s.w.app.rm;
    const origin = rm.origins().find((o) => o.origin === s.proxy.url)!;
    expect(origin.requests).toBe(STREAMS * ROUNDS + STREAMS);
    expect(origin.failed).toBe(0);
    // Pending drains to 0: nothing queued, nothing running, nothing in flight.
    await until(() => rm.origins().find((o) => o.origin === s.proxy.url)!.pool.running === 0, 2_000, 'running to reach 0');
    expect(rm.origins().find((o) => o.origin === s.proxy.url)!.pool).toMatchObject({ pending: 0, queued: 0, running: 0 });
    expect(rm.stats()).toMatchObject({ httpInFlight: 0, scopedInUse: 0, httpClientsCreated: 1 });
    expect(rm.stats().connectionsOpened).toBe(s.proxy.accepted());
    figures.push(
      `peak connections ${s.proxy.peak()} (limit ${LIMIT}), ${s.proxy.accepted()} opened in all, ${origin.requests} requests, p50 ${Math.round(origin.totalMs.p50)} ms`,
    );

    await s.dispose();
    // Afterwards: the pool's sockets, the web host's and the client's are all closed.
    await until(() => countFds(isSocket) <= socketsBefore, 5_000, 'sockets to close').catch(() => undefined);
    const leftover = [...openFds().values()].filter(isSocket).length - socketsBefore;
    expect(leftover, 'sockets left open').toBeLessThanOrEqual(0);
    expect(
      countFds((t) => !isLogFile(t)),
      'descriptors left open',
    ).toBeLessThanOrEqual(fdsBefore);
    figures.push(
      `descriptors: ${fdsBefore} before, ${countFds((t) => !isLogFile(t))} after (sockets ${socketsBefore} → ${countFds(isSocket)})`,
    );

    if (!gc) {
      console.warn('[load] heap check skipped: gc() is not available in this process (setFlagsFromString refused --expose-gc)');
    } else {
      const heapAfter = await settledHeap(gc);
      const grew = (heapAfter - heapBefore!) / MB;
      figures.push(
        `heap ${(heapBefore! / MB).toFixed(1)} MB → ${(heapAfter / MB).toFixed(1)} MB after gc (${grew >= 0 ? '+' : ''}${grew.toFixed(1)} MB)`,
      );
      expect(grew, 'heap growth, MB').toBeLessThan(10);
    }
    console.info(`[load] ${figures.join('; ')}`);
  }, 120_000);

  // Guards a bug this suite found (since fixed): ResourceManager.shutdown() flushes the log file but
  // never closes it, so every engine leaves one descriptor open (5 engines → 5 descriptors on vega.1.log).
  it('shutdown closes the log file', async () => {
    const e = await tempEngine();
    e.rm.logger.info('one line');
    await e.dispose();
    await new Promise((r) => setTimeout(r, 50));
    const open = [...openFds().values()].filter((t) => t.startsWith(e.dir));
    expect(open).toEqual([]);
  });
});
