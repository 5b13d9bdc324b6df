import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ProcInfo } from '../../src-main/mcp/proc.js';
import { until, within } from '../helpers/fault-kit.js';
import { descendants, killOwned, own, servers, stillRunning, tempDir } from './harness.js';
import { spawnServe } from '../helpers/serve-proc.js';

// `npm run serve` (scripts/serve.mjs, as faults-shutdown starts it) with
// five stdio servers: two from npm, one deaf to SIGTERM, one that leaves two
// grandchildren (one in a group of its own), one stuck in initialize. After
// SIGTERM or SIGINT, and after SIGKILL plus the next start, none of the
// processes it ever had is left, checked from /proc by pid and start time.

const root = path.resolve(__dirname, '../..');
const KEY = 'mcp-serve-test-key-5521';
const dirs: { dispose(): void }[] = [];

beforeAll(() => {
  const built = spawnSync(process.execPath, ['scripts/build.mjs', '--if-stale', '--quiet'], { cwd: root, encoding: 'utf8' });
  expect(built.status, built.stderr).toBe(0);
}, 240_000);
afterEach(() => killOwned());
afterAll(() => dirs.forEach((d) => d.dispose()));

interface Serve {
  readonly proc: ChildProcess;
  readonly exited: Promise<number | null>;
  output(): string;
  base(): string;
}

function startServe(dir: string): Serve {
  const proc = spawnServe(dir, KEY);
  own(proc.pid!);
  let out = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
  return {
    proc,
    exited: new Promise((resolve) => proc.once('exit', (code) => resolve(code))),
    output: () => out,
    base: () => /listening on (http:\/\/\S+)/.exec(out)?.[1] ?? '',
  };
}

function setUp(): string {
  const t = tempDir('vega-mcp-serve-');
  dirs.push(t);
  mkdirSync(path.join(t.dir, 'data'));
  writeFileSync(path.join(t.dir, '.env'), '');
  const mcpServers = {
    everything: servers.everything(),
    memory: servers.memory(path.join(t.dir, 'memory.jsonl')),
    deaf: servers.fixture('ignores-sigterm'),
    parent: servers.fixture('spawns-grandchildren'),
    mute: servers.fixture('hangs-in-initialize'),
  };
  writeFileSync(path.join(t.dir, 'data', 'mcp.json'), JSON.stringify({ mcpServers }, null, 2));
  return t.dir;
}

async function mcpServers(base: string): Promise<{ name: string; state: string; pid: number | null }[]> {
  const r = await request(`${base}/admin/resources/stats`, { headers: { 'x-api-key': KEY } });
  return ((await r.body.json()) as { mcp?: { servers: { name: string; state: string; pid: number | null }[] } }).mcp?.servers ?? [];
}

interface Running {
  readonly serve: Serve;
  /** Every descendant of the serve process (the servers' trees; the build's esbuild when it rebuilt at start). */
  readonly tree: ProcInfo[];
  /** The MCP servers and every process under each. */
  readonly mcp: ProcInfo[];
}

/** Started, the four good ones ready, the stuck one still starting, and its tree written down (with the grandchildren). */
async function ready(dir: string): Promise<Running> {
  const serve = startServe(dir);
  await until(() => serve.base() !== '' || serve.proc.exitCode !== null, 90_000, 'serve to listen');
  expect(serve.base(), serve.output()).not.toBe('');
  const want = 'everything:ready memory:ready deaf:ready parent:ready mute:starting';
  const states = async () => (await mcpServers(serve.base())).map((s) => `${s.name}:${s.state}`).join(' ');
  await until(async () => (await states()) === want, 30_000, 'the MCP servers to be up');
  const running = path.join(dir, 'data', 'mcp-running.json');
  await until(() => /"tree": \[\s*\{/.test(readFileSync(running, 'utf8')), 15_000, 'the grandchildren to be recorded');
  const tree = descendants(serve.proc.pid!);
  own(...tree.map((p) => p.pid));
  const pids = (await mcpServers(serve.base())).map((s) => s.pid!);
  const mcp = tree.filter((p) => pids.includes(p.pid) || pids.some((s) => descendants(s).some((d) => d.pid === p.pid)));
  // Five servers and two grandchildren.
  expect(mcp).toHaveLength(7);
  return { serve, tree, mcp };
}

/** The MCP processes are gone when serve has exited; anything else it had (a build helper) goes right after. */
async function noneLeft(r: Running): Promise<void> {
  expect(stillRunning(r.mcp)).toEqual([]);
  await until(() => stillRunning(r.tree).length === 0, 5_000, 'every descendant of serve to be gone');
}

describe('npm run serve with MCP servers: nothing outlives it', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal}: exits 0 and every server process, grandchildren included, is gone by then`, async () => {
      const r = await ready(setUp());
      const { serve } = r;
      const t0 = performance.now();
      serve.proc.kill(signal);
      const code = await within(25_000, serve.exited, 'serve to exit');
      const ms = Math.round(performance.now() - t0);
      expect(code, serve.output()).toBe(0);
      await noneLeft(r);
      const out = serve.output();
      const order = [`${signal} received`, '✓ LLM providers shut down', '✓ Background processes stopped', 'Shutdown complete'];
      expect(
        order.map((l) => out.indexOf(l)).every((i, k, a) => i >= 0 && (k === 0 || i > a[k - 1]!)),
        out,
      ).toBe(true);
      console.info(`[mcp hygiene] npm run serve ${signal}: exit 0 after ${ms} ms, 0 of ${r.mcp.length} MCP processes left`);
    }, 150_000);
  }

  it('SIGKILL: the servers that heed their stdin exit at once; the next start stops what did not, and nothing is left', async () => {
    const dir = setUp();
    const first = await ready(dir);
    first.serve.proc.kill('SIGKILL');
    await first.serve.exited;
    // everything, memory and the grandchildren's parent exit when their stdin closes; the deaf ones stay.
    await until(() => stillRunning(first.mcp).length === 4, 10_000, 'the servers that heed stdin to exit');
    const left = stillRunning(first.mcp);
    const t0 = performance.now();
    const second = startServe(dir);
    await until(() => second.base() !== '' || second.proc.exitCode !== null, 90_000, 'serve to listen again');
    expect(stillRunning(first.mcp), second.output()).toEqual([]);
    const reapMs = Math.round(performance.now() - t0);
    expect(second.output()).toMatch(/had processes still running from a previous run of Vega; stopped them/);
    second.proc.kill('SIGTERM');
    expect(await within(25_000, second.exited, 'the second serve to exit')).toBe(0);
    const reapLines = readFileSync(path.join(dir, 'data', 'logs', 'vega.1.log'), 'utf8')
      .split('\n')
      .filter((l) => l.includes('from a previous run'));
    const reap = Math.max(...reapLines.map((l) => Number(/"ms":(\d+)/.exec(l)?.[1])));
    console.info(
      `[mcp hygiene] SIGKILL: ${first.mcp.length - left.length} exited with their stdin, ${left.length} stopped at the next start in ${reap} ms (listening ${reapMs} ms after it began)`,
    );
  }, 240_000);
});
