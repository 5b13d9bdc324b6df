/**
 * 11. Fleet: three Ollama stand-ins on 127.0.0.1, .2 and .3, each serving
 * two answers at a time (more wait for a slot, as OLLAMA_NUM_PARALLEL=2),
 * one of them 3× slower. 200 turns at concurrency 8 through the same
 * providers on the same pool, chosen three ways: Vega's routing (the
 * Fleet), round-robin, and random among the servers that have the model
 * (Open WebUI's rule). Then Vega's routing again with one fast server
 * killed a third of the way in: turns that failed before their first token
 * (target 0), turns cut after it (kept partial, as with one server), and
 * how long until its breaker kept turns away.
 */
import type http from 'node:http';
import type { ResourceManager } from '../../src-main/engine/resource-manager.js';
import type { LlmProvider, StreamRequest } from '../../src-main/providers/llm.js';
import { Fleet } from '../../src-main/providers/fleet/fleet.js';
import { OllamaProvider } from '../../src-main/providers/ollama.js';
import { tempEngine } from '../../tests/helpers/engine.js';
import { listenCounting, readJson, sendJson, Writer, type CountingListener } from '../../tests/helpers/ollama-standin.js';
import { fmtMs, fmtX, nowMs, percentile, round } from '../lib/stats.js';
import { check, info, type BenchOptions, type Row, type SectionResult } from '../lib/types.js';

const HOSTS = ['127.0.0.1', '127.0.0.2', '127.0.0.3'] as const;
/** Per-answer cost at speed 1: the prompt's processing before the first token, then each token. */
const PREFILL_MS = 20;
const TOKEN_MS = 3;
const TOKENS = 20;
const SLOTS = 2;
const CONCURRENCY = 8;
const MODEL = 'llama3.2:latest';

/** A model server with a fixed number of slots: answers beyond them queue, and their wait is part of the first token's. */
async function slottedServer(host: string, slowdown: number): Promise<CountingListener> {
  let busy = 0;
  const waiting: (() => void)[] = [];
  const slot = async (): Promise<() => void> => {
    if (busy >= SLOTS) await new Promise<void>((r) => waiting.push(r));
    busy++;
    return () => {
      busy--;
      waiting.shift()?.();
    };
  };
  const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    void (async () => {
      if (req.url === '/api/tags') return sendJson(res, 200, { models: [{ name: MODEL }] });
      if (req.url === '/api/ps') return sendJson(res, 200, { models: [{ name: MODEL }] });
      if (req.url !== '/api/chat') return sendJson(res, 404, { error: 'not found' });
      await readJson(req);
      const release = await slot();
      try {
        const w = new Writer(res, TOKEN_MS * slowdown);
        await new Promise((r) => setTimeout(r, PREFILL_MS * slowdown));
        res.writeHead(200, { 'content-type': 'application/x-ndjson' });
        for (let i = 0; i < TOKENS; i++)
          if (!(await w.write(`${JSON.stringify({ message: { content: ` t${i}` }, done: false })}\n`))) return;
        res.end(`${JSON.stringify({ done: true, eval_count: TOKENS, eval_duration: TOKENS * TOKEN_MS * slowdown * 1e6 })}\n`);
      } finally {
        release();
      }
    })().catch(() => res.destroy());
  };
  return listenCounting(handler, 0, host);
}

interface TurnResult {
  readonly ttft: number | null;
  readonly total: number;
  /** 'before' the first token or 'after' it; absent when the turn succeeded. */
  readonly failed?: 'before' | 'after';
}

type Choose = (turn: number) => LlmProvider;

async function oneTurn(provider: LlmProvider, turn: number): Promise<TurnResult> {
  const req: StreamRequest = { model: MODEL, messages: [{ role: 'user', content: `turn ${turn}` }], affinity: `conv-${turn}` };
  const t0 = nowMs();
  let ttft: number | null = null;
  try {
    for await (const part of provider.stream(req)) if (part.type === 'token') ttft ??= nowMs() - t0;
    return { ttft, total: nowMs() - t0 };
  } catch {
    return { ttft, total: nowMs() - t0, failed: ttft === null ? 'before' : 'after' };
  }
}

async function drive(turns: number, choose: Choose, onTurn?: (done: number) => void | Promise<void>): Promise<TurnResult[]> {
  const results: TurnResult[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < turns) {
        const n = next++;
        await onTurn?.(n);
        results.push(await oneTurn(choose(n), n));
      }
    }),
  );
  return results;
}

function summary(rs: readonly TurnResult[]): { ttftP50: number; ttftP95: number; totalP50: number; totalP95: number } {
  const ttft = rs.flatMap((r) => (r.ttft === null ? [] : [r.ttft]));
  const total = rs.filter((r) => !r.failed).map((r) => r.total);
  return {
    ttftP50: percentile(ttft, 0.5),
    ttftP95: percentile(ttft, 0.95),
    totalP50: percentile(total, 0.5),
    totalP95: percentile(total, 0.95),
  };
}

export async function run(opts: BenchOptions): Promise<SectionResult> {
  const turns = opts.quick ? 80 : 200;
  const servers = await Promise.all(HOSTS.map((h, i) => slottedServer(h, i === 2 ? 3 : 1)));
  const urls = servers.map((s, i) => `http://${HOSTS[i]}:${s.port}`);
  const engine = await tempEngine({ envText: `OLLAMA_HOST=${urls.join(',')}\n` });
  const rm: ResourceManager = engine.rm;
  try {
    const pinned = urls.map((u) => new OllamaProvider(rm, { url: new URL(u), weight: 1 }));
    const fleet = () => new Fleet(rm, new OllamaProvider(rm), 'OLLAMA_HOST', (e) => new OllamaProvider(rm, e));
    // Each way starts from a fleet that knows nothing yet: its first turns learn the lists and the pace.
    const vega = fleet();
    const ways: Record<string, Choose> = {
      vega: () => vega,
      'round-robin': (n) => pinned[n % pinned.length]!,
      'random among holders': () => pinned[Math.floor(Math.random() * pinned.length)]!,
    };
    const figures: Record<string, unknown> = { turns, concurrency: CONCURRENCY, slots: SLOTS, slow_endpoint: urls[2] };
    const rows: Row[] = [];
    const measured: Record<string, ReturnType<typeof summary>> = {};
    for (const [name, choose] of Object.entries(ways)) {
      const s = summary(await drive(turns, choose));
      measured[name] = s;
      figures[name] = s;
      rows.push(info(`fleet · ${name} · first token p50 / p95`, `${fmtMs(s.ttftP50)} / ${fmtMs(s.ttftP95)}`));
      rows.push(info(`fleet · ${name} · total p50 / p95`, `${fmtMs(s.totalP50)} / ${fmtMs(s.totalP95)}`));
    }
    const ratio = measured['random among holders']!.ttftP95 / measured.vega!.ttftP95;
    figures.p95_ttft_vs_random = round(ratio);
    rows.push(check('fleet · p95 first token, random among holders ÷ Vega (one server 3× slower)', fmtX(ratio), '≥ 1.5×', ratio >= 1.5));
    figures.share = vega.endpoints().map((e) => ({ url: e.url, share: e.share }));

    // One fast server killed a third of the way in.
    const killed = fleet();
    let killedAt = 0;
    let rerouteMs: number | null = null;
    const results = await drive(
      turns,
      () => killed,
      async (n) => {
        if (n === Math.floor(turns / 3)) {
          killedAt = nowMs();
          await servers[1]!.stop();
        }
        if (killedAt && rerouteMs === null && killed.endpoints()[1]?.state === 'breaker-open') rerouteMs = nowMs() - killedAt;
      },
    );
    const before = results.filter((r) => r.failed === 'before').length;
    const after = results.filter((r) => r.failed === 'after').length;
    figures.kill = { failed_before_first_token: before, cut_after_first_token: after, breaker_open_after_ms: rerouteMs };
    rows.push(check('fleet · one server killed mid-run · turns failed before their first token', String(before), '0', before === 0));
    rows.push(info('fleet · one server killed mid-run · answers cut after their first token (kept partial)', String(after)));
    rows.push(
      info('fleet · one server killed mid-run · until its breaker kept turns away', rerouteMs === null ? 'not opened' : fmtMs(rerouteMs)),
    );
    figures.http_clients_created = rm.stats().httpClientsCreated;
    rows.push(
      check('fleet · pooled clients with 3 endpoints', String(rm.stats().httpClientsCreated), '1', rm.stats().httpClientsCreated === 1),
    );
    return {
      name: 'fleet',
      figures,
      rows,
      notes: [
        'Stand-ins serve 2 answers at a time each; a turn beyond that waits for a slot, and the wait counts in its first token. Same providers, same pool for the three ways; only the choice of server differs.',
      ],
    };
  } finally {
    await engine.dispose();
    await Promise.all(servers.map((s) => s.close()));
  }
}
