import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ProcInfo } from '../../src-main/mcp/proc.js';
import { until, within } from '../helpers/fault-kit.js';
import { descendants, killOwned, own, servers, stillRunning, tempDir } from './harness.js';

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
  const proc = spawn(process.execPath, ['scripts/serve.mjs'], {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      HOME: dir,
      VEGA_ENV_FILE: path.join(dir, '.env'),
      VEGA_DATA_DIR: path.join(dir, 'data'),
      VEGA_API_KEY: KEY,
      VEGA_PORT: '0',
      BROWSER: 'none',
      NO_COLOR: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
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

async function mcpStates(base: string): Promise<Record<string, string>> {
  const r = await request(`${base}/admin/resources/stats`, { headers: { 'x-api-key': KEY } });
  const body = (await r.body.json()) as { mcp?: { servers: { name: string; state: string }[] } };
  return Object.fromEntries((body.mcp?.servers ?? []).map((s) => [s.name, s.state]));
}

/** Started, the four good ones ready, the stuck one still starting, and its tree written down (with the grandchildren). */
async function ready(dir: string): Promise<{ serve: Serve; tree: ProcInfo[] }> {
  const serve = startServe(dir);
  await until(() => serve.base() !== '' || serve.proc.exitCode !== null, 90_000, 'serve to listen');
  expect(serve.base(), serve.output()).not.toBe('');
  const want = { everything: 'ready', memory: 'ready', deaf: 'ready', parent: 'ready', mute: 'starting' };
  await until(async () => JSON.stringify(await mcpStates(serve.base())) === JSON.stringify(want), 30_000, 'the MCP servers to be up');
  const running = path.join(dir, 'data', 'mcp-running.json');
  await until(() => /"tree": \[\s*\{/.test(readFileSync(running, 'utf8')), 15_000, 'the grandchildren to be recorded');
  const tree = descendants(serve.proc.pid!);
  own(...tree.map((p) => p.pid));
  // Five servers and two grandchildren (tsx or esbuild helpers of the build are not children of serve).
  expect(tree.length).toBeGreaterThanOrEqual(7);
  return { serve, tree };
}

describe('npm run serve with MCP servers: nothing outlives it', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal}: exits 0 and every server process, grandchildren included, is gone by then`, async () => {
      const { serve, tree } = await ready(setUp());
      const t0 = performance.now();
      serve.proc.kill(signal);
      const code = await within(25_000, serve.exited, 'serve to exit');
      const ms = Math.round(performance.now() - t0);
      expect(code, serve.output()).toBe(0);
      expect(stillRunning(tree)).toEqual([]);
      const out = serve.output();
      const order = [`${signal} received`, '✓ LLM providers shut down', '✓ Background processes stopped', 'Shutdown complete'];
      expect(
        order.map((l) => out.indexOf(l)).every((i, k, a) => i >= 0 && (k === 0 || i > a[k - 1]!)),
        out,
      ).toBe(true);
      console.info(`[mcp hygiene] npm run serve ${signal}: exit 0 after ${ms} ms, 0 of ${tree.length} processes left`);
    }, 150_000);
  }

  it('SIGKILL: the servers that heed their stdin exit at once; the next start stops what did not, and nothing is left', async () => {
    const dir = setUp();
    const first = await ready(dir);
    first.serve.proc.kill('SIGKILL');
    await first.serve.exited;
    // everything, memory and the grandchildren's parent exit when their stdin closes; the deaf ones stay.
    await until(() => stillRunning(first.tree).length === 4, 10_000, 'the servers that heed stdin to exit');
    const left = stillRunning(first.tree);
    const t0 = performance.now();
    const second = startServe(dir);
    await until(() => second.base() !== '' || second.proc.exitCode !== null, 90_000, 'serve to listen again');
    expect(stillRunning(first.tree), second.output()).toEqual([]);
    const reapMs = Math.round(performance.now() - t0);
    expect(second.output()).toMatch(/had processes still running from a previous run of Vega; stopped them/);
    second.proc.kill('SIGTERM');
    expect(await within(25_000, second.exited, 'the second serve to exit')).toBe(0);
    console.info(
      `[mcp hygiene] SIGKILL: ${first.tree.length - left.length} exited with their stdin, ${left.length} stopped at the next start (listening ${reapMs} ms after it began)`,
    );
  }, 240_000);
});
