/**
 * 4. Streaming: the Ollama stand-in (another process) streams 5000 tokens as
 * fast as it can; tokens/s delivered through the chat service and the web
 * host to a WebSocket client of the contract, and the latency each token
 * gains on the way, against reading the stand-in directly. Each token is
 * timestamped when the stand-in writes it and when the reader gets it (epoch
 * ms from both processes' high-resolution clocks); "added" is the chat path's
 * percentile minus the direct path's.
 */
import { Pool } from 'undici';
import { connectApi } from '../../tests/helpers/ws-client.js';
import { startApp } from '../lib/app.js';
import { RemoteServers } from '../lib/remote.js';
import { tokenEnds } from '../lib/reply.js';
import { epochMs, fmtMs, fmtRate, median, percentile, round, waitFor } from '../lib/stats.js';
import { check, info, type BenchOptions, type Row, type SectionResult } from '../lib/types.js';

const TOKENS = 5_000;

interface RunResult {
  /** Delivery time of each token, epoch ms (NaN if never delivered). */
  delivered: number[];
  events: number;
  startedAt: number;
  doneAt: number;
  text: string;
}

interface Measured {
  rate: number;
  endToEndRate: number;
  latencies: number[];
  delivered: number;
  events: number;
}

/** Map cumulative received text to the tokens it completes (robust to batching of tokens into one event). */
class Deliveries {
  readonly ends: number[];
  readonly at: number[];
  #len = 0;
  #next = 0;
  events = 0;
  text = '';
  constructor(n: number) {
    this.ends = tokenEnds(n);
    this.at = new Array<number>(n).fill(NaN);
  }
  add(piece: string, t: number): void {
    this.events++;
    this.text += piece;
    this.#len += piece.length;
    while (this.#next < this.ends.length && this.ends[this.#next]! <= this.#len) this.at[this.#next++] = t;
  }
}

async function direct(pool: Pool, n: number): Promise<RunResult> {
  const d = new Deliveries(n);
  const startedAt = epochMs();
  const res = await pool.request({
    path: '/api/chat',
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'llama3.2', messages: [{ role: 'user', content: 'go' }], stream: true }),
  });
  let buf = '';
  for await (const chunk of res.body) {
    const t = epochMs();
    buf += (chunk as Buffer).toString('utf8');
    let nl: number;
    while ((nl = buf.indexOf('\n')) !== -1) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      const m = JSON.parse(line) as { message?: { content?: string }; done?: boolean };
      if (!m.done && m.message?.content) d.add(m.message.content, t);
    }
  }
  return { delivered: d.at, events: d.events, startedAt, doneAt: epochMs(), text: d.text };
}

async function viaChat(client: Awaited<ReturnType<typeof connectApi>>, n: number, timeoutMs: number): Promise<RunResult> {
  const conv = await client.api.chat.create({});
  const d = new Deliveries(n);
  let doneAt = 0;
  let failed: string | undefined;
  const off = client.api.chat.onEvent((e) => {
    if (!('conversationId' in e) || e.conversationId !== conv.id) return;
    if (e.type === 'token') d.add(e.text, epochMs());
    else if (e.type === 'done') doneAt = epochMs();
    else if (e.type === 'error') failed = e.error.message;
  });
  const startedAt = epochMs();
  try {
    await client.api.chat.send({ conversationId: conv.id, text: 'go' });
    await waitFor(() => doneAt > 0 || failed !== undefined, timeoutMs);
  } finally {
    off();
  }
  if (failed) throw new Error(`chat turn failed: ${failed}`);
  if (!doneAt) throw new Error(`chat turn did not finish in ${timeoutMs} ms`);
  await client.api.chat.delete({ conversationId: conv.id });
  return { delivered: d.at, events: d.events, startedAt, doneAt, text: d.text };
}

function measure(r: RunResult, written: number[]): Measured {
  const n = r.delivered.length;
  const got = r.delivered.filter((x) => Number.isFinite(x));
  const lat: number[] = [];
  for (let i = 0; i < Math.min(n, written.length); i++) if (Number.isFinite(r.delivered[i]!)) lat.push(r.delivered[i]! - written[i]!);
  const first = got[0] ?? NaN;
  const last = got[got.length - 1] ?? NaN;
  return {
    rate: ((got.length - 1) / (last - first)) * 1000,
    endToEndRate: (got.length / (last - r.startedAt)) * 1000,
    latencies: lat,
    delivered: got.length,
    events: r.events,
  };
}

/** An added latency; below zero it is the two paths' noise, not a gain. */
function added(ms: number): string {
  return ms < 0 ? `${fmtMs(ms)} (≤ 0: within noise)` : fmtMs(ms);
}

function summary(ms: Measured[], writtenRates: number[]): Record<string, unknown> {
  const lat = ms.flatMap((m) => m.latencies);
  return {
    tokensPerSecond: round(median(ms.map((m) => m.rate)), 0),
    tokensPerSecondRuns: ms.map((m) => round(m.rate, 0)),
    endToEndTokensPerSecond: round(median(ms.map((m) => m.endToEndRate)), 0),
    standInWriteRate: round(median(writtenRates), 0),
    latencyP50Ms: round(percentile(lat, 0.5), 3),
    latencyP99Ms: round(percentile(lat, 0.99), 3),
    latencyMaxMs: round(Math.max(...lat), 3),
    deliveredPerRun: ms.map((m) => m.delivered),
    eventsPerRun: ms.map((m) => m.events),
  };
}

export async function run(opts: BenchOptions): Promise<SectionResult> {
  const runs = opts.quick ? 2 : 5;
  const pacedTokens = opts.quick ? 300 : 2_000;
  const remote = await RemoteServers.start();
  const figures: Record<string, unknown> = { tokens: TOKENS, runs };
  const rows: Row[] = [];
  const notes: string[] = [];
  let b: Awaited<ReturnType<typeof startApp>> | undefined;
  let client: Awaited<ReturnType<typeof connectApi>> | undefined;
  let pool: Pool | undefined;
  try {
    const ollama = await remote.call<{ id: number; url: string }>({ op: 'ollama', tokens: TOKENS });
    b = await startApp(ollama.url);
    client = await connectApi(b.host.url, b.host.apiKey);
    pool = new Pool(ollama.url, { connections: 4, headersTimeout: 20_000, bodyTimeout: 20_000 });

    const times = () => remote.call<number[]>({ op: 'tokenTimes' });
    const writeRate = (w: number[]) => ((w.length - 1) / (w[w.length - 1]! - w[0]!)) * 1000;

    // Full speed, then paced (1 ms between tokens: latency without queueing).
    for (const mode of ['full', 'paced'] as const) {
      const n = mode === 'full' ? TOKENS : pacedTokens;
      await remote.call({ op: 'ollamaReply', tokens: n, tokenDelayMs: mode === 'full' ? 0 : 1 });
      const timeout = mode === 'full' ? 60_000 : n * 20 + 10_000;
      // Warm-up of both paths.
      await direct(pool, n);
      await viaChat(client, n, timeout);
      await times();
      const dm: Measured[] = [];
      const cm: Measured[] = [];
      const dw: number[] = [];
      const cw: number[] = [];
      for (let r = 0; r < runs; r++) {
        const dr = await direct(pool, n);
        const w1 = await times();
        dm.push(measure(dr, w1));
        dw.push(writeRate(w1));
        const cr = await viaChat(client, n, timeout);
        const w2 = await times();
        cm.push(measure(cr, w2));
        cw.push(writeRate(w2));
        if (cr.text.length !== tokenEnds(n)[n - 1])
          notes.push(`streaming: a chat turn delivered ${cr.text.length} characters, expected ${tokenEnds(n)[n - 1]}.`);
      }
      const ds = summary(dm, dw);
      const cs = summary(cm, cw);
      const addP50 = (cs.latencyP50Ms as number) - (ds.latencyP50Ms as number);
      const addP99 = (cs.latencyP99Ms as number) - (ds.latencyP99Ms as number);
      figures[mode] = { tokens: n, direct: ds, chat: cs, addedP50Ms: round(addP50, 3), addedP99Ms: round(addP99, 3) };
      if (mode === 'full') {
        const rate = cs.tokensPerSecond as number;
        rows.push(
          check(
            `streaming · ${TOKENS} tokens, stand-in → chat → web host → WebSocket client`,
            `${fmtRate(rate)} tokens/s (end to end incl. first token ${fmtRate(cs.endToEndTokensPerSecond as number)}; ${(cs.eventsPerRun as number[])[0]} token events)`,
            '≥ 5000 tokens/s',
            rate >= 5000,
          ),
          info(
            'streaming · same, read directly from the stand-in (undici Pool)',
            `${fmtRate(ds.tokensPerSecond as number)} tokens/s; the stand-in wrote at ${fmtRate(ds.standInWriteRate as number)} / ${fmtRate(cs.standInWriteRate as number)} tokens/s (direct / chat runs)`,
          ),
          info(
            'streaming · per-token latency at full speed, chat path',
            `p50 ${fmtMs(cs.latencyP50Ms as number)}, p99 ${fmtMs(cs.latencyP99Ms as number)}`,
          ),
          info(
            'streaming · per-token latency at full speed, direct',
            `p50 ${fmtMs(ds.latencyP50Ms as number)}, p99 ${fmtMs(ds.latencyP99Ms as number)}`,
          ),
          check(
            'streaming · added latency per token at full speed (chat − direct)',
            `p50 ${added(addP50)}, p99 ${added(addP99)}`,
            '≤ 2 ms p99',
            addP99 <= 2,
          ),
        );
        if (addP99 > 2) {
          notes.push(
            `streaming: at full speed the stand-in bursts ${TOKENS} tokens at ~${fmtRate(cs.standInWriteRate as number)} tokens/s (one NDJSON line per write), far above any real model; the chat path (NDJSON parse → turn → event → one WebSocket frame per token → the client's parse, all on this process's one thread) delivers ~${fmtRate(rate)} tokens/s, ` +
              `so during the burst tokens queue and the lag grows to the end of the stream (p99 ${fmtMs(cs.latencyP99Ms as number)}). The latency is queueing, not a per-token delay: paced at 1 ms per token the same path adds only the figure in the 'paced' rows. ` +
              'Tokens that arrive in one event-loop turn already leave as one event and one frame; what remains is the parse, the event and the frame on this one thread, plus the client, during a burst no real model produces.',
          );
        }
      } else {
        rows.push(
          info(
            `streaming · paced (1 ms between tokens, ${n} tokens), per-token latency chat / direct`,
            `p50 ${fmtMs(cs.latencyP50Ms as number)} / ${fmtMs(ds.latencyP50Ms as number)}, p99 ${fmtMs(cs.latencyP99Ms as number)} / ${fmtMs(ds.latencyP99Ms as number)}`,
          ),
          info('streaming · paced, added latency per token (chat − direct)', `p50 ${added(addP50)}, p99 ${added(addP99)}`),
        );
      }
    }
  } finally {
    await client?.close();
    await pool?.close();
    await b?.close();
    await remote.close();
  }
  return { name: 'streaming', figures, rows, notes };
}
