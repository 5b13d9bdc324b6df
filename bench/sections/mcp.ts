/**
 * 8. MCP: one tool call (server-everything's echo) through Vega's MCP layer
 * vs the SDK's own client on its own transport, over stdio and over
 * Streamable HTTP; and Vega's start (createVegaApp) with 0 vs 3 stdio
 * servers configured, and the time until all three are ready.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { createVegaApp } from '../../src-main/app/create-app.js';
import { mcpEngine, servers, startHttpEverything, toolCtx, waitState, type Entry } from '../../tests/mcp/harness.js';
import { fmtMs, median, percentile, round } from '../lib/stats.js';
import { check, info, type BenchOptions, type Row, type SectionResult } from '../lib/types.js';

interface Latency {
  readonly p50: number;
  readonly p99: number;
}

type Call = (i: number) => Promise<unknown>;
const ROUNDS = 10;

/** Both sides in alternating rounds, so a busy moment of the machine falls on both; 20 warm-up calls each first. */
async function compare(sides: Record<'vega' | 'sdk', Call>, n: number): Promise<Record<'vega' | 'sdk', Latency>> {
  const ms = { vega: [] as number[], sdk: [] as number[] };
  for (const call of Object.values(sides)) for (let i = 0; i < 20; i++) await call(i);
  for (let r = 0; r < ROUNDS; r++) {
    for (const side of ['vega', 'sdk'] as const) {
      for (let i = 0; i < n / ROUNDS; i++) {
        const t0 = performance.now();
        await sides[side](i);
        ms[side].push(performance.now() - t0);
      }
    }
  }
  const summary = (xs: number[]): Latency => ({ p50: round(percentile(xs, 0.5), 3), p99: round(percentile(xs, 0.99), 3) });
  return { vega: summary(ms.vega), sdk: summary(ms.sdk) };
}

/** server-everything's echo through Vega's MCP layer, and on the SDK alone (its client on `transport`, nothing between). */
async function echoBoth(entry: Entry, transport: Transport, n: number): Promise<Record<'vega' | 'sdk', Latency>> {
  const m = await mcpEngine({ s: entry }, {});
  const client = new Client({ name: 'bench', version: '1' });
  try {
    await waitState(m.mcp, 's', 'ready', 30_000);
    await client.connect(transport);
    const tool = m.tools.get('s__echo')!;
    return await compare(
      {
        vega: (i) => tool.run({ message: `m${i}` }, toolCtx()),
        sdk: (i) => client.callTool({ name: 'echo', arguments: { message: `m${i}` } }),
      },
      n,
    );
  } finally {
    await client.close();
    await m.dispose();
  }
}

interface StartTrial {
  readonly createMs: number;
  readonly readyMs: number | null;
}

async function startTrial(mcpServers: (dir: string) => Record<string, Entry>): Promise<StartTrial> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vega-bench-mcp-'));
  const config = path.join(dir, 'mcp.json');
  writeFileSync(config, JSON.stringify({ mcpServers: mcpServers(dir) }));
  writeFileSync(path.join(dir, '.env'), `VEGA_MCP_CONFIG=${config}\n`);
  const t0 = performance.now();
  const app = await createVegaApp({ host: 'web', envFile: path.join(dir, '.env'), env: { VEGA_DATA_DIR: path.join(dir, 'data') } });
  const createMs = performance.now() - t0;
  try {
    await app.mcp.settled();
    const allReady = app.mcp.status().servers.every((s) => s.state === 'ready');
    return { createMs: round(createMs, 1), readyMs: allReady ? round(performance.now() - t0, 1) : null };
  } finally {
    await app.rm.shutdown();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(o: BenchOptions): Promise<SectionResult> {
  const n = o.quick ? 200 : 2_000;
  const trials = o.quick ? 2 : 5;
  const rows: Row[] = [];
  const everything = servers.everything();
  const [command, ...args] = [everything.command as string, ...(everything.args as string[])];

  const stdio = await echoBoth(everything, new StdioClientTransport({ command, args, stderr: 'ignore' }), n);
  const http = await startHttpEverything('streamableHttp');
  let httpFigures: Record<'vega' | 'sdk', Latency>;
  try {
    httpFigures = await echoBoth({ url: http.url }, new StreamableHTTPClientTransport(new URL(http.url)), n);
  } finally {
    await http.close();
  }
  for (const [name, f] of [
    ['stdio', stdio],
    ['Streamable HTTP', httpFigures],
  ] as const) {
    rows.push(info(`mcp · one tool call over ${name} · Vega (p50 / p99)`, `${fmtMs(f.vega.p50)} / ${fmtMs(f.vega.p99)}`));
    rows.push(info(`mcp · one tool call over ${name} · the SDK alone (p50 / p99)`, `${fmtMs(f.sdk.p50)} / ${fmtMs(f.sdk.p99)}`));
  }
  const overheadMs = Math.max(stdio.vega.p50 - stdio.sdk.p50, httpFigures.vega.p50 - httpFigures.sdk.p50);
  rows.push(check("mcp · Vega's layer over the SDK, p50 (worse of stdio and HTTP)", fmtMs(overheadMs), '< 1 ms', overheadMs < 1));

  const three = (dir: string) => ({
    everything: servers.everything(),
    memory: servers.memory(path.join(dir, 'memory.jsonl')),
    files: servers.filesystem(dir),
  });
  const none: StartTrial[] = [];
  const withThree: StartTrial[] = [];
  for (let i = 0; i < trials; i++) {
    none.push(await startTrial(() => ({})));
    withThree.push(await startTrial(three));
  }
  const createNone = median(none.map((t) => t.createMs));
  const createThree = median(withThree.map((t) => t.createMs));
  const readyThree = median(withThree.map((t) => t.readyMs ?? NaN));
  rows.push(info('mcp · Vega start (createVegaApp), 0 servers', fmtMs(createNone)));
  rows.push(
    check(
      'mcp · Vega start with 3 stdio servers: added to the start (they start in the background)',
      fmtMs(createThree - createNone),
      '< 100 ms',
      createThree - createNone < 100,
    ),
  );
  rows.push(info('mcp · from start until all 3 servers are ready', Number.isFinite(readyThree) ? fmtMs(readyThree) : 'not all ready'));

  return {
    name: 'mcp',
    figures: { calls: n, stdio, http: httpFigures, start: { none, withThree } },
    rows,
    notes: [
      'MCP calls: server-everything\'s echo, one at a time after 20 warm-up calls; "the SDK alone" is its Client on its own transport (StdioClientTransport, or Streamable HTTP on global fetch).',
    ],
  };
}
