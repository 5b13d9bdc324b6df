/**
 * 10. The OpenAI-compatible door: (a) the latency it adds, as time to the
 * first streamed chunk through Vega's /v1/chat/completions against asking
 * the Ollama stand-in (another process) directly, both sequential and
 * interleaved; (b) 50 streamed completions at once through a pool limited to
 * 10 connections: all complete, and the stand-in counts its peak connections.
 */
import { Pool } from 'undici';
import { startApp } from '../lib/app.js';
import { firstChunk } from '../lib/first-chunk.js';
import { RemoteServers } from '../lib/remote.js';
import { fmtMs, nowMs, percentile, round } from '../lib/stats.js';
import { check, info, type BenchOptions, type Row, type SectionResult } from '../lib/types.js';

const KEY = 'bench-key-0123456789';
const CONCURRENT = 50;
const POOL_LIMIT = 10;

const messages = [{ role: 'user', content: 'go' }];
const viaDoor = (pool: Pool) =>
  firstChunk(pool, '/v1/chat/completions', { authorization: `Bearer ${KEY}` }, { model: 'llama3.2', messages, stream: true });
const direct = (pool: Pool) => firstChunk(pool, '/api/chat', {}, { model: 'llama3.2', messages, stream: true });

export async function run(opts: BenchOptions): Promise<SectionResult> {
  const n = opts.quick ? 100 : 1_000;
  const remote = await RemoteServers.start();
  const figures: Record<string, unknown> = { requests: n };
  const rows: Row[] = [];
  const notes: string[] = [];
  const closers: (() => Promise<unknown>)[] = [];
  try {
    // (a) Added latency: a short answer, no pacing, one request at a time, the two paths interleaved.
    const ollama = await remote.call<{ id: number; url: string }>({ op: 'ollama', tokens: 20 });
    const b = await startApp(ollama.url);
    closers.push(() => b.close());
    const toVega = new Pool(b.host.url, { connections: 1 });
    const toOllama = new Pool(ollama.url, { connections: 1 });
    closers.push(
      () => toVega.close(),
      () => toOllama.close(),
    );
    for (let i = 0; i < 50; i++) {
      await direct(toOllama);
      await viaDoor(toVega);
    }
    const d: number[] = [];
    const v: number[] = [];
    for (let i = 0; i < n; i++) {
      d.push((await direct(toOllama)).ms);
      v.push((await viaDoor(toVega)).ms);
    }
    const p = (xs: number[], q: number) => round(percentile(xs, q / 100), 3);
    const addedP50 = p(v, 50) - p(d, 50);
    const addedP99 = p(v, 99) - p(d, 99);
    figures.latency = {
      directP50Ms: p(d, 50),
      directP99Ms: p(d, 99),
      doorP50Ms: p(v, 50),
      doorP99Ms: p(v, 99),
      addedP50Ms: round(addedP50, 3),
      addedP99Ms: round(addedP99, 3),
    };
    rows.push(
      info('openai door · time to first chunk, stand-in directly', `p50 ${fmtMs(p(d, 50))}, p99 ${fmtMs(p(d, 99))}`),
      info('openai door · time to first chunk, through Vega /v1/chat/completions (SSE)', `p50 ${fmtMs(p(v, 50))}, p99 ${fmtMs(p(v, 99))}`),
      check(
        'openai door · added time to first chunk (Vega − direct)',
        `p50 ${fmtMs(addedP50)}, p99 ${fmtMs(addedP99)}`,
        '≤ 2 ms p50',
        addedP50 <= 2,
      ),
    );

    // (b) 50 streams at once on a pool of 10: each answer is paced so that they overlap.
    const paced = await remote.call<{ id: number; url: string }>({ op: 'ollama', tokens: 50, tokenDelayMs: 4 });
    const c = await startApp(paced.url, `VEGA_HTTP_MAX_CONNECTIONS=${POOL_LIMIT}\n`);
    closers.push(() => c.close());
    const clients = new Pool(c.host.url, { connections: CONCURRENT });
    closers.push(() => clients.close());
    const t0 = nowMs();
    const results = await Promise.allSettled(Array.from({ length: CONCURRENT }, () => viaDoor(clients)));
    const wallMs = nowMs() - t0;
    const complete = results.filter((r) => r.status === 'fulfilled' && r.value.text.trimEnd().endsWith('data: [DONE]')).length;
    const counts = await remote.counts(paced.id);
    figures.concurrent = {
      streams: CONCURRENT,
      poolLimit: POOL_LIMIT,
      complete,
      peakConnections: counts.peak,
      accepted: counts.accepted,
      wallMs: round(wallMs, 1),
    };
    for (const r of results)
      if (r.status === 'rejected') notes.push(`openai door: a concurrent stream failed: ${String(r.reason)}`.slice(0, 300));
    rows.push(
      check(
        `openai door · ${CONCURRENT} concurrent streams, pool limited to ${POOL_LIMIT}`,
        `${complete}/${CONCURRENT} complete in ${fmtMs(wallMs)}`,
        'all complete',
        complete === CONCURRENT,
      ),
      check(
        'openai door · peak connections counted by the stand-in',
        `${counts.peak} (${counts.accepted} accepted over the run)`,
        `= ${POOL_LIMIT}`,
        counts.peak === POOL_LIMIT,
      ),
    );
  } finally {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    await remote.close();
  }
  return { name: 'openai-door', figures, rows, notes: notes.slice(0, 5) };
}
