/**
 * 6. Soak: many pooled requests and many chat turns through one running app;
 * heap and RSS after a forced GC before and after, and the sockets left once
 * the app has shut down (counted by the servers and in /proc/self/fd).
 */
import { readdirSync, readlinkSync } from 'node:fs';
import { request } from 'undici';
import { startApp, type BenchApp } from '../lib/app.js';
import { RemoteServers } from '../lib/remote.js';
import { fmtBytes, fullGc, round, waitFor } from '../lib/stats.js';
import { check, info, type BenchOptions, type Row, type SectionResult } from '../lib/types.js';

/** Sockets this process holds, from /proc/self/fd (Linux); -1 elsewhere. */
export function fdSockets(): number {
  try {
    let n = 0;
    for (const fd of readdirSync('/proc/self/fd')) {
      try {
        if (readlinkSync(`/proc/self/fd/${fd}`).startsWith('socket:')) n++;
      } catch {
        // closed while listing
      }
    }
    return n;
  } catch {
    return -1;
  }
}

function mem(): { heapUsed: number; rss: number } {
  const m = process.memoryUsage();
  return { heapUsed: m.heapUsed, rss: m.rss };
}

type Client = Awaited<ReturnType<(typeof import('../../tests/helpers/ws-client.js'))['connectApi']>>;

async function pooled(b: BenchApp, url: string, n: number, deadline: number): Promise<number> {
  const d = b.app.rm.httpClient();
  let started = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (started < n && Date.now() < deadline) {
      started++;
      const r = await request(url, {
        dispatcher: d,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"model":"llama3.2","prompt":"hi"}',
      });
      await r.body.text();
      done++;
    }
  };
  await Promise.all(Array.from({ length: 10 }, worker));
  return done;
}

/** `n` turns, ten per conversation, each conversation deleted after its tenth. */
async function chatTurns(client: Client, n: number, deadline: number): Promise<{ done: number; failed: number }> {
  let done = 0;
  let failed = 0;
  let conv: string | undefined;
  let finished: ((ok: boolean) => void) | undefined;
  const off = client.api.chat.onEvent((e) => {
    if (!('conversationId' in e) || e.conversationId !== conv) return;
    if (e.type === 'done') finished?.(true);
    else if (e.type === 'error') finished?.(false);
  });
  try {
    for (let i = 0; i < n && Date.now() < deadline; i++) {
      if (i % 10 === 0) conv = (await client.api.chat.create({})).id;
      const ok = await new Promise<boolean>((resolve) => {
        const t = setTimeout(() => resolve(false), 10_000);
        finished = (v) => {
          clearTimeout(t);
          resolve(v);
        };
        client.api.chat.send({ conversationId: conv!, text: `turn ${i}` }).catch(() => finished?.(false));
      });
      if (ok) done++;
      else failed++;
      if (i % 10 === 9) await client.api.chat.delete({ conversationId: conv! });
    }
  } finally {
    off();
  }
  return { done, failed };
}

export async function run(opts: BenchOptions): Promise<SectionResult> {
  const q = opts.quick;
  const nReq = q ? 2_000 : 20_000;
  const nTurns = q ? 50 : 1_000;
  const deadline = Date.now() + (q ? 30_000 : 300_000);
  const { connectApi } = await import('../../tests/helpers/ws-client.js');
  const remote = await RemoteServers.start();
  const rows: Row[] = [];
  const notes: string[] = [];
  let b: BenchApp | undefined;
  let client: Client | undefined;
  try {
    const [srv] = await remote.listen(false);
    const ollama = await remote.call<{ id: number; url: string }>({ op: 'ollama', tokens: 20 });
    const url = `${srv!.url}/api/generate`;
    await fullGc();
    const fdBase = fdSockets();
    b = await startApp(ollama.url);
    client = await connectApi(b.host.url, b.host.apiKey);

    // Warm-up: pool sockets, JIT, the chat store's first files.
    await pooled(b, url, 500, deadline);
    await chatTurns(client, 10, deadline);
    await fullGc();
    const before = mem();
    const t0 = Date.now();
    const reqDone = await pooled(b, url, nReq, deadline);
    const reqS = (Date.now() - t0) / 1000;
    const t1 = Date.now();
    const turns = await chatTurns(client, nTurns, deadline);
    const turnS = (Date.now() - t1) / 1000;
    await fullGc();
    const after = mem();
    const stats = b.app.rm.stats();
    const fdDuring = fdSockets();

    await client.close();
    client = undefined;
    await b.close();
    const ids = [srv!.id, ollama.id];
    await waitFor(async () => (await remote.countsOf(ids)).every((c) => c.open === 0), 2_000);
    const serverOpen = (await remote.countsOf(ids)).reduce((n, c) => n + c.open, 0);
    await waitFor(() => fdSockets() <= fdBase, 1_000);
    const fdLeft = fdSockets() - fdBase;
    await fullGc();
    const afterShutdown = mem();

    const heapGrowth = after.heapUsed - before.heapUsed;
    const figures = {
      requests: { planned: nReq, done: reqDone, seconds: round(reqS, 2), perSecond: round(reqDone / reqS, 0) },
      chatTurns: {
        planned: nTurns,
        done: turns.done,
        failed: turns.failed,
        seconds: round(turnS, 2),
        perSecond: round(turns.done / turnS, 1),
      },
      heapUsedBefore: before.heapUsed,
      heapUsedAfter: after.heapUsed,
      heapGrowthBytes: heapGrowth,
      rssBefore: before.rss,
      rssAfter: after.rss,
      rssGrowthBytes: after.rss - before.rss,
      heapUsedAfterShutdown: afterShutdown.heapUsed,
      engine: {
        httpRequestsMade: stats.httpRequestsMade,
        connectionsOpened: stats.connectionsOpened,
        httpClientsCreated: stats.httpClientsCreated,
      },
      fdSocketsBaseline: fdBase,
      fdSocketsWhileRunning: fdDuring,
      fdSocketsLeftAfterShutdown: fdLeft,
      serverSocketsLeftAfterShutdown: serverOpen,
    };
    const what = `${reqDone.toLocaleString('en-US')} pooled requests + ${turns.done} chat turns`;
    rows.push(
      info(
        `soak · ${what}`,
        `${round(reqDone / reqS, 0).toLocaleString('en-US')} req/s over ${round(reqS, 1)} s; ${round(turns.done / turnS, 1)} turns/s over ${round(turnS, 1)} s${turns.failed ? `, ${turns.failed} failed` : ''}; ${stats.connectionsOpened} connections opened by the pool`,
      ),
      check(
        `soak · heap growth after forced GC (${what})`,
        `${fmtBytes(heapGrowth)} (${fmtBytes(before.heapUsed)} → ${fmtBytes(after.heapUsed)})`,
        '≤ 10 MB',
        heapGrowth <= 10 * 1024 * 1024,
      ),
      info('soak · RSS after forced GC', `${fmtBytes(before.rss)} → ${fmtBytes(after.rss)} (${fmtBytes(after.rss - before.rss)})`),
      check('soak · sockets left after shutdown, server side', String(serverOpen), '0', serverOpen === 0),
      check(
        'soak · sockets left after shutdown, /proc/self/fd',
        `${fdLeft} (baseline ${fdBase}, ${fdDuring} while running)`,
        '0',
        fdLeft <= 0,
      ),
    );
    if (reqDone < nReq || turns.done + turns.failed < nTurns)
      notes.push(
        `soak: stopped at the time bound before finishing (${reqDone}/${nReq} requests, ${turns.done + turns.failed}/${nTurns} turns).`,
      );
    return { name: 'soak', figures, rows, notes };
  } finally {
    await client?.close();
    await b?.close();
    await remote.close();
  }
}
